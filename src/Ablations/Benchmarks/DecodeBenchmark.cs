using Ablations.Config;
using Ablations.Model;
using Ablations.Model.Attention;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>Decoding speed with the KV cache near the end of a long context, in tokens per second.</summary>
public sealed record DecodeTiming(double GqaTokensPerSecond, double MlaTokensPerSecond, double MlaRebuildTokensPerSecond);

/// <summary>
/// Greedy-free decoding (a fixed token, batch 1) after a prompt that fills the context to near its end: GQA,
/// MLA with absorbed up-projections (scores against the cached latent), and the same MLA rebuilding every held
/// position's keys and values through kv_b_proj at each step. Tokens are decoded in turn across the three.
/// </summary>
public static class DecodeBenchmark
{
    public static DecodeTiming Measure(ModelConfig gqa, ModelConfig mla, int context, int warmup, int tokens)
    {
        using var noGrad = no_grad();
        var models = new[] { new Decoder(gqa), new Decoder(mla), new Decoder(mla) };
        foreach (var layer in models[2].Layers) ((MultiHeadLatentAttention)layer.AttentionModule).AbsorbWhenDecoding = false;
        var caches = models.Select(m => m.NewCache()).ToArray();
        try
        {
            for (int i = 0; i < models.Length; i++)
            {
                models[i].eval();
                using var prompt = randint(0, models[i].Config.VocabSize, new long[] { 1, context - warmup - tokens }, generator: new Generator(2));
                models[i].Forward(prompt, caches[i]).Logits.Dispose();
            }
            using var token = zeros(new long[] { 1, 1 }, ScalarType.Int64);
            var times = Interleaved.Time(Enumerable.Range(0, models.Length)
                .Select(i => (Action)(() => models[i].Forward(token, caches[i]))).ToList(), warmup, tokens);
            double Rate(int i) => 1000.0 / Interleaved.Median(times[i]);
            return new DecodeTiming(Rate(0), Rate(1), Rate(2));
        }
        finally
        {
            foreach (var c in caches) c.Dispose();
            foreach (var m in models) m.Dispose();
        }
    }
}
