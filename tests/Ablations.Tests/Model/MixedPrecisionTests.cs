using Ablations.Config;
using Ablations.Model;
using Ablations.Model.Attention;
using Ablations.Model.Norms;
using Ablations.Training;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

public class MixedPrecisionTests
{
    public static IEnumerable<object[]> Models() => new[]
    {
        new object[] { "gqa", TinyModels.Base() },
        new object[] { "mla", TinyModels.Base(AttentionKind.Mla) },
        new object[] { "moe", TinyModels.Moe(TinyModels.Base()) },
        new object[] { "window", TinyModels.Windowed(TinyModels.Base(), 4) },
        new object[] { "softcap", TinyModels.Base() with { Attention = TinyModels.Attention(AttentionKind.Gqa) with { LogitSoftcap = 20 }, FinalLogitSoftcap = 30 } },
        new object[] { "untied layernorm sandwich", TinyModels.Base() with { TieEmbeddings = false, Norm = new LayerNormConfig { Placement = NormPlacement.Sandwich } } },
        new object[] { "olmo2 qk-norm", TinyModels.Base() with { Norm = new RmsNormConfig { Placement = NormPlacement.Olmo2 },
            Attention = new GroupedAttentionConfig { Kind = AttentionKind.Gqa, NHeads = 4, NKvHeads = 2, QkNorm = true } } },
    };

    /// <summary>
    /// What mixed precision rests on, on whichever path libtorch takes here (bf16 units, or scalar code without them):
    /// a bf16 product multiplies bf16 operands and sums in fp32, rounding only the result to bf16. Summed in bf16
    /// instead, a 4096-long dot product of positive terms would lose its low bits at every step.
    /// </summary>
    [Fact]
    public void Bf16_matrix_products_accumulate_in_fp32()
    {
        using var scope = NewDisposeScope();
        var a = rand(new long[] { 8, 4096 }, generator: new Generator(3)).to(ScalarType.BFloat16);
        var b = rand(new long[] { 4096, 8 }, generator: new Generator(4)).to(ScalarType.BFloat16);
        var product = a.matmul(b).to(ScalarType.Float32);
        var exact = a.to(ScalarType.Float64).matmul(b.to(ScalarType.Float64));
        var relative = ((product - exact).abs() / exact).max().item<double>();
        Assert.True(relative <= 1.0 / 256, $"bf16 products err by {relative:E2} relative: more than the final rounding to bf16 (2^-8)");
        // Each term about 0.25 and the sums about 1024, where bf16's spacing is 8: summing in bf16 would stall far below.
        Assert.InRange(exact.mean().item<double>(), 900, 1150);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Bf16_forward_matches_fp32_within_bf16_rounding_and_returns_float32_logits(string name, ModelConfig config)
    {
        using var model = new Decoder(config, seed: 5);
        using var tokens = TinyModels.RandomTokens(2, 24, config.VocabSize, seed: 1);
        using var full = model.Forward(tokens).Logits;
        model.Precision = Precision.Bf16;
        using var mixed = model.Forward(tokens).Logits;
        Assert.Equal(ScalarType.Float32, mixed.dtype);
        var error = (mixed - full).abs().max().item<float>();
        var scale = full.abs().max().item<float>();
        var mean = (mixed - full).abs().mean().item<float>();
        Assert.True(error > 0, $"{name}: bf16 gave exactly the fp32 logits: nothing ran in bf16");
        Assert.True(mean < 0.01 * scale, $"{name}: bf16 logits differ by {mean} on average (logits up to {scale})");
        // A router's top-k is discrete: where two experts' scores nearly tie, bf16 rounding upstream may send a token
        // to the other expert, which moves that token's logits by more than rounding. Elsewhere the largest
        // difference is bounded by rounding.
        if (config.Moe == null) Assert.True(error < 0.05 * scale + 1e-3, $"{name}: bf16 logits differ by {error} (logits up to {scale})");
    }

    [Fact]
    public void Parameters_gradients_and_adamw_state_stay_float32_in_bf16()
    {
        var config = TinyModels.Moe(TinyModels.Base());
        using var model = new Decoder(config, seed: 5) { Precision = Precision.Bf16 };
        var train = new TrainConfig { Steps = 2, WarmupSteps = 0 };
        using var optimizer = OptimizerFactory.Create(model, train);
        using var tokens = TinyModels.RandomTokens(2, 16, config.VocabSize, seed: 1);
        var step = new TrainStep(model, optimizer, train, (_, _) => (tokens, tokens));
        step.Run(1);
        Assert.All(model.parameters(), p =>
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
        });
        var moments = optimizer.state_dict().State.SelectMany(s => StateTensors(s)).ToList();
        Assert.NotEmpty(moments);
        Assert.All(moments, t => Assert.Equal(ScalarType.Float32, t.dtype));
    }

    static IEnumerable<Tensor> StateTensors(object state) =>
        state.GetType().GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .Select(f => f.GetValue(state))
            .Concat(state.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0).Select(p => p.GetValue(state)))
            .OfType<Tensor>().Where(t => t.is_floating_point() && t.NumberOfElements > 1);

    [Fact]
    public void Each_weight_is_cast_once_per_step_and_the_copies_go_after_the_optimiser_step()
    {
        var config = TinyModels.Base();   // tied embeddings: the embedding is used as the head too
        using var model = new Decoder(config, seed: 5) { Precision = Precision.Bf16 };
        var train = new TrainConfig { Steps = 3, WarmupSteps = 0, GradAccum = 3 };
        using var optimizer = OptimizerFactory.Create(model, train);
        using var tokens = TinyModels.RandomTokens(2, 16, config.VocabSize, seed: 1);
        var step = new TrainStep(model, optimizer, train, (_, _) => (tokens, tokens));
        var matrices = model.parameters().Count(p => p.dim() >= 2);
        step.Run(1);
        Assert.Equal(matrices, model.CastWeights.Casts);       // three micro-batches, the head and the embedding: one cast each
        Assert.Equal(0, model.CastWeights.Count);              // dropped after the optimiser step
        step.Run(2);
        Assert.Equal(2 * matrices, model.CastWeights.Casts);
    }

    [Fact]
    public void Gradients_through_the_cached_copies_equal_gradients_of_fresh_casts()
    {
        // Three micro-batches share one bf16 copy per weight; the same three passes with the cache dropped before
        // each give the same accumulated gradients.
        var config = TinyModels.Base();
        using var tokens = TinyModels.RandomTokens(2, 16, config.VocabSize, seed: 1);
        Tensor[] Grads(bool dropBetween)
        {
            using var model = new Decoder(config, seed: 5) { Precision = Precision.Bf16 };
            for (int i = 0; i < 3; i++)
            {
                if (dropBetween) model.WeightsChanged();
                var logits = model.Forward(tokens).Logits;
                nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), tokens.reshape(-1)).backward();
            }
            return model.parameters().Select(p => p.grad!.clone()).ToArray();
        }
        var cached = Grads(false);
        var fresh = Grads(true);
        for (int i = 0; i < cached.Length; i++) Assert.Equal(0f, (cached[i] - fresh[i]).abs().max().item<float>());
    }

    [Theory]
    [InlineData(AttentionKind.Gqa)]
    [InlineData(AttentionKind.Mla)]
    public void Decoding_with_the_cache_in_bf16_follows_the_full_bf16_pass(AttentionKind kind)
    {
        var config = TinyModels.Windowed(TinyModels.Base(kind), 4);
        using var model = new Decoder(config, seed: 5) { Precision = Precision.Bf16 };
        model.eval();
        using var noGrad = no_grad();
        using var tokens = TinyModels.RandomTokens(1, 12, config.VocabSize, seed: 1);
        using var full = model.Forward(tokens).Logits;
        using var cache = model.NewCache();
        model.Forward(tokens.narrow(1, 0, 8), cache).Logits.Dispose();
        using var last = model.Forward(tokens.narrow(1, 8, 4), cache).Logits;
        Assert.True((last - full.narrow(1, 8, 4)).abs().max().item<float>() < 0.1);
        model.Precision = Precision.Fp32;
        using var fp32Cache = model.NewCache();
        model.Forward(tokens, fp32Cache).Logits.Dispose();
        Assert.Equal(fp32Cache.Bytes, 2 * cache.Bytes);                 // the cache holds bf16 keys and values
    }
}
