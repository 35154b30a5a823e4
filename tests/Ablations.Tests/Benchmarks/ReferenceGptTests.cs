using Ablations.Benchmarks;
using Ablations.Model;
using static TorchSharp.torch;

namespace Ablations.Tests.Benchmarks;

public class ReferenceGptTests
{
    [Fact]
    public void Reference_has_the_shape_and_parameter_count_of_the_dense_benchmark_decoder()
    {
        var config = BenchmarkSuite.Dense with { DModel = 64, FeedForward = BenchmarkSuite.Dense.FeedForward with { Hidden = 96 }, ContextLength = 32 };
        using var decoder = new Decoder(config);
        using var reference = new ReferenceGpt(config.VocabSize, 64, config.NLayers, config.Attention.NHeads, 96, 32);
        Assert.Equal(decoder.ParameterCount(), reference.parameters().Sum(p => p.NumberOfElements));
        using var tokens = TinyModels.RandomTokens(2, 16, config.VocabSize, 1);
        using var logits = reference.forward(tokens);
        Assert.Equal(new long[] { 2, 16, config.VocabSize }, logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void Reference_is_causal()
    {
        using var reference = new ReferenceGpt(50, 32, 2, 4, 64, 16, seed: 2);
        using var a = TinyModels.RandomTokens(1, 10, 50, 3);
        using var b = a.clone();
        b[0, 9] = (a[0, 9].item<long>() + 1) % 50;
        using var la = reference.forward(a);
        using var lb = reference.forward(b);
        Assert.Equal(0f, (la.narrow(1, 0, 9) - lb.narrow(1, 0, 9)).abs().max().item<float>());
    }
}
