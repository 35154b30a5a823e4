using Ablations.Config;
using Ablations.Model;
using Ablations.Model.Attention;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>Median milliseconds of one forward + backward, sliding window against global causal.</summary>
/// <param name="BandProductsMs">The band's two batched matrix products alone (no mask, softmax or gathering of
/// keys), forward + backward: the floor of the windowed operation as written with libtorch's products.</param>
public sealed record AttentionTiming(double WindowCoreMs, double GlobalCoreMs, double WindowLayerMs, double GlobalLayerMs, double BandProductsMs);

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
        var headDim = model.Attention.ResolvedHeadDim(model.DModel);
        var g = new Generator(5);
        Tensor Leaf(params long[] shape) => randn(shape, generator: g).requires_grad_(true);
        var (q, k, v) = (Leaf(1, heads, context, headDim), Leaf(1, heads, context, headDim), Leaf(1, heads, context, headDim));

        var single = model with { NLayers = 1, ContextLength = Math.Max(model.ContextLength, context) };
        var localConfig = single with { Attention = single.Attention with { Window = window, LayerPattern = new[] { LayerAttentionSpan.Local } } };
        using var local = AttentionFactory.Create(localConfig, LayerPlan.From(localConfig).Layers[0]);
        using var global = AttentionFactory.Create(single, LayerPlan.From(single).Layers[0]);
        var x = Leaf(1, context, model.DModel);
        // The same products the band computes, on ready-made chunks: queries [h x n, chunk, d] against keys and
        // values [h x n, window + chunk, d].
        var chunk = CausalSelfAttention.BandChunk(window);
        long chunks = (context + chunk - 1) / chunk;
        var (qc, kc, vc) = (Leaf(heads * chunks, chunk, headDim), Leaf(heads * chunks, window + chunk, headDim), Leaf(heads * chunks, window + chunk, headDim));
        var start = new ForwardContext(0, null);

        var times = Interleaved.Time(new Action[]
        {
            () => SlidingWindow.BandAttention(q, k, v, window, CausalSelfAttention.BandChunk(window)).sum().backward(),
            () => CausalSelfAttention.FusedAttention(q, k, v, null, causal: true).sum().backward(),
            () => local.Forward(x, start).sum().backward(),
            () => global.Forward(x, start).sum().backward(),
            () => qc.bmm(kc.transpose(1, 2)).bmm(vc).sum().backward(),
        }, warmup, rounds);
        return new AttentionTiming(Interleaved.Median(times[0]), Interleaved.Median(times[1]), Interleaved.Median(times[2]),
            Interleaved.Median(times[3]), Interleaved.Median(times[4]));
    }
}
