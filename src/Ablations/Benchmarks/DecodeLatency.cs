using Ablations.Model;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>One variant's decode step with a long cache: median tokens per second and the cache bytes it held.</summary>
public sealed record DecodeLatencyResult(string Variant, double TokensPerSecond, long KvBytes);

/// <summary>
/// Decode speed of several models at one long context: each gets a random prompt that fills its cache to
/// <c>context - warmup - tokens</c> positions, then decodes one fixed token per step (batch 1, no sampling) for the
/// warm-up and timed steps, taken in turn across the models so a slow spell of the machine falls on all alike. The
/// cache bytes are read off the filled cache: a windowed layer holds only its window.
/// </summary>
public static class DecodeLatency
{
    public static IReadOnlyList<DecodeLatencyResult> Measure(IReadOnlyList<(string Variant, ModelConfig Model)> subjects, int context, int warmup, int tokens)
    {
        using var noGrad = no_grad();
        var models = subjects.Select(s => new Decoder(s.Model with { ContextLength = Math.Max(s.Model.ContextLength, context) })).ToList();
        var caches = models.Select(m => m.NewCache()).ToList();
        try
        {
            for (int i = 0; i < models.Count; i++)
            {
                models[i].eval();
                using var prompt = randint(0, models[i].Config.VocabSize, new long[] { 1, context - warmup - tokens }, generator: new Generator(2));
                using (NewDisposeScope()) models[i].Forward(prompt, caches[i]);
            }
            using var token = zeros(new long[] { 1, 1 }, ScalarType.Int64);
            var bytes = caches.Select(c => c.Bytes).ToList();
            var times = Interleaved.Time(Enumerable.Range(0, models.Count).Select(i => (Action)(() => models[i].Forward(token, caches[i]))).ToList(), warmup, tokens);
            return subjects.Select((s, i) => new DecodeLatencyResult(s.Variant, 1000.0 / Interleaved.Median(times[i]), bytes[i])).ToList();
        }
        finally
        {
            foreach (var c in caches) c.Dispose();
            foreach (var m in models) m.Dispose();
        }
    }
}
