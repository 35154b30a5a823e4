using Ablations.Config;
using Ablations.Model;
using Ablations.Model.Attention;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>Median milliseconds of one forward + backward, sliding window against global causal.</summary>
/// <param name="WindowCoreMs">The windowed operation as models run it (the CPU band kernel where it applies).</param>
/// <param name="ChunkedCoreMs">The same through libtorch's batched products over query chunks (the path on other
/// devices and head widths).</param>
public sealed record AttentionTiming(double WindowCoreMs, double ChunkedCoreMs, double GlobalCoreMs, double WindowLayerMs, double GlobalLayerMs);

/// <summary>
/// Sliding-window against global causal attention at long context, forward + backward, two ways: the attention
/// operation alone (queries, keys and values in, mixed values out: where the band saves work), and the whole
/// layer (with the projections and RoPE, which cost the same in both).
/// </summary>
public static class AttentionBenchmark
{
    public static AttentionTiming Measure(ModelConfig model, int context, int window, int warmup, int rounds)
    {
        using var scope = NewDisposeScope();
        var heads = model.Attention.NHeads;
        var headDim = model.Attention.HeadWidths(model).Qk;
        var g = new Generator(5);
        Tensor Leaf(params long[] shape) => randn(shape, generator: g).requires_grad_(true);
        var (q, k, v) = (Leaf(1, heads, context, headDim), Leaf(1, heads, context, headDim), Leaf(1, heads, context, headDim));

        var single = model with { NLayers = 1, ContextLength = Math.Max(model.ContextLength, context) };
        var localConfig = single with { Attention = single.Attention with { Window = window, LayerPattern = new[] { LayerAttentionSpan.Local } } };
        using var local = Build(localConfig);
        using var global = Build(single);
        var x = Leaf(1, context, model.DModel);
        var start = new ForwardContext(0, null);

        // The kernels the layers chose at build: the local layer's band, the chunked band it falls back to, and
        // the global layer's fused kernel.
        var band = (BandedAttentionKernel)local.Kernel;
        var chunked = new ChunkedBandAttentionKernel(window, null, new FusedAttentionKernel(window));
        var fused = new FusedAttentionKernel();
        var times = Interleaved.Time(new Action[]
        {
            () => band.Band(q, k, v).sum().backward(),
            () => chunked.Band(q, k, v).sum().backward(),
            () => fused.Mix(q, k, v, null, causal: true).sum().backward(),
            () => local.Forward(x, start).sum().backward(),
            () => global.Forward(x, start).sum().backward(),
        }, warmup, rounds);
        var medians = times.Select(Interleaved.Median).ToArray();
        return new AttentionTiming(medians[0], medians[1], medians[2], medians[3], medians[4]);
    }

    static CausalSelfAttention Build(ModelConfig model)
    {
        var layer = LayerPlan.From(model).Layers[0];
        return layer.Attention.Build(model, layer, TorchSharp.DeviceType.CPU);
    }
}
