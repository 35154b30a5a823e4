using Ablations.Model;
using Ablations.Model.Attention;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

/// <summary>Which kernel a layer gets is decided once, at build, from its window, soft-cap and device.</summary>
public class AttentionKernelTests
{
    static LayerSpec Layer(int? window) =>
        LayerPlan.From(TinyModels.Base()).Layers[0] with { Window = window };

    [Fact]
    public void Kernels_are_chosen_from_window_softcap_and_device()
    {
        Assert.IsType<FusedAttentionKernel>(AttentionKernel.For(Layer(null), DeviceType.CPU, 16, 16, null));
        Assert.IsType<MathAttentionKernel>(AttentionKernel.For(Layer(null), DeviceType.CPU, 16, 16, 50));
        Assert.IsType<CpuBandAttentionKernel>(AttentionKernel.For(Layer(64), DeviceType.CPU, 16, 16, null));
        Assert.IsType<ChunkedBandAttentionKernel>(AttentionKernel.For(Layer(64), DeviceType.CPU, 16, 16, 50));   // the capped band
        Assert.IsType<ChunkedBandAttentionKernel>(AttentionKernel.For(Layer(64), DeviceType.CPU, 12, 12, null)); // widths the kernel cannot take
        Assert.IsType<ChunkedBandAttentionKernel>(AttentionKernel.For(Layer(64), DeviceType.CUDA, 16, 16, null));
    }

    [Fact]
    public void Built_layers_carry_their_kernels()
    {
        var config = TinyModels.Windowed(TinyModels.Base(), 4);   // layers 0 and 2 local
        using var model = new Decoder(config);
        Assert.IsAssignableFrom<BandedAttentionKernel>(model.Layers[0].AttentionModule.Kernel);
        Assert.IsType<FusedAttentionKernel>(model.Layers[1].AttentionModule.Kernel);
        using var capped = new Decoder(config with { Attention = config.Attention with { LogitSoftcap = 20 } });
        Assert.IsType<MathAttentionKernel>(capped.Layers[1].AttentionModule.Kernel);
        Assert.Contains("soft-capped at 20", capped.Layers[1].AttentionModule.Kernel.Description);
    }

    [Fact]
    public void Soft_caps_bound_attention_scores_and_output_logits()
    {
        var config = TinyModels.Base() with { InitStd = 1.0 };   // large weights: large raw scores and logits
        using var tokens = TinyModels.RandomTokens(2, 12, config.VocabSize, seed: 1);
        using var noGrad = no_grad();
        using var raw = new Decoder(config, seed: 4);
        var uncapped = raw.Forward(tokens, recordAttentionLogits: true);
        Assert.True(uncapped.MaxAttentionLogit > 3 && uncapped.Logits.abs().max().item<float>() > 2);
        using var capped = new Decoder(config with { Attention = config.Attention with { LogitSoftcap = 3 }, FinalLogitSoftcap = 2 }, seed: 4);
        var output = capped.Forward(tokens, recordAttentionLogits: true);
        Assert.InRange(output.MaxAttentionLogit, 0, 3);
        Assert.InRange(output.Logits.abs().max().item<float>(), 0, 2);
        Assert.Equal(raw.ParameterCount(), capped.ParameterCount());   // a cap has no parameters
    }

    [Fact]
    public void Math_kernel_equals_the_fused_kernel_without_a_cap()
    {
        var g = new Generator(3);
        using var q = randn(new long[] { 2, 3, 9, 8 }, generator: g);
        using var k = randn(new long[] { 2, 3, 9, 8 }, generator: g);
        using var v = randn(new long[] { 2, 3, 9, 6 }, generator: g);
        using var fused = new FusedAttentionKernel().Mix(q, k, v, null, causal: true);
        using var math = new MathAttentionKernel().Mix(q, k, v, null, causal: true);
        Assert.True((fused - math).abs().max().item<float>() < 1e-5);
    }
}
