using Ablations.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// How one layer turns queries, keys and values into mixed values: chosen once, when the layer is built, from
/// the layer's plan entry (window, soft-cap) and the device (torchtitan's and OLMo-core's attention backends).
/// Layers own projections and caches; kernels own the mask, the scores and the softmax.
/// </summary>
public abstract class AttentionKernel
{
    /// <summary>
    /// The kernel for a layer. Global layers: libtorch's fused scaled dot-product attention, or the explicit math
    /// path when scores are soft-capped (the fused kernel has no cap). Local layers over whole sequences: the
    /// CPU band kernel where it runs (float32, head widths a multiple of 8, AVX2/FMA, AVX-512 where present), else the chunked band
    /// (which also caps); decoding against a cache goes through the masked kernel with the window's mask.
    /// </summary>
    public static AttentionKernel For(LayerSpec layer, DeviceType device, long qkDim, long vDim, double? softcap)
    {
        MaskedAttentionKernel masked = softcap is double cap ? new MathAttentionKernel(layer.Window, cap) : new FusedAttentionKernel(layer.Window);
        if (layer.Window is not int window) return masked;
        if (softcap == null && device == DeviceType.CPU && BandKernel.Supported && qkDim % 8 == 0 && vDim % 8 == 0)
            return new CpuBandAttentionKernel(window, masked);
        return new ChunkedBandAttentionKernel(window, softcap, masked);
    }

    /// <summary>What this kernel is, for `ablate doctor` and the benchmark (e.g. "band kernel (CPU, W 256)").</summary>
    public abstract string Description { get; }

    /// <summary>
    /// q: [b, heads, t, d] for queries at absolute positions qStart..; k, v: [b, heads, keys, d] from kStart.. With
    /// group &gt; 1 the query heads sharing one key/value head come stacked as rows, q: [b, kv_heads, group x t, d],
    /// against k, v: [b, kv_heads, keys, d]. Returns the mixed values in q's layout with v's width.
    /// </summary>
    public abstract Tensor Attend(Tensor q, Tensor k, Tensor v, long qStart, long kStart, ForwardContext context, int group = 1);

    /// <summary>
    /// The largest logit over the positions a query may attend to: the quantity whose growth signals
    /// attention-logit instability (Dehghani et al. 2023; Wortsman et al. 2023, arXiv 2309.14322).
    /// </summary>
    protected static double MaxLogit(Tensor q, Tensor k, Tensor? mask, bool causal, double? softcap)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = Scores(q, k, softcap);                                              // [b, heads, queries, keys]
        var allowed = mask ?? (causal ? ones(q.shape[2], k.shape[2], ScalarType.Bool, q.device).tril() : null);
        if (allowed is not null) logits = logits.masked_fill(allowed.logical_not(), Scalars.NegativeInfinity);
        return logits.max().item<float>();
    }

    /// <summary>
    /// q.k / sqrt(d), soft-capped as cap * tanh(s / cap) when a cap is given (Gemma 2). The product runs in q's
    /// dtype; the scores are float32 (bf16 products come back to float32 before the cap, the mask and the softmax).
    /// </summary>
    protected static Tensor Scores(Tensor q, Tensor k, double? softcap)
    {
        var scores = MixedPrecision.Full(q.matmul(k.transpose(-2, -1))) / Scalars.Of(Math.Sqrt(q.shape[^1]));
        return softcap is double cap ? SoftCap.Apply(scores, cap) : scores;
    }
}
