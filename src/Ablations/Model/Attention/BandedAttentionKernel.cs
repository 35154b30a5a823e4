using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// A local layer's kernel: over a whole sequence from position 0 (training, prefill) it computes only the band of
/// keys each query may see (Longformer, arXiv 2004.05150), so work grows with T x window instead of T x T; any
/// other call (decoding against a cache, sequences shorter than two windows) goes through the masked kernel.
/// </summary>
public abstract class BandedAttentionKernel : AttentionKernel
{
    readonly MaskedAttentionKernel _masked;

    protected BandedAttentionKernel(int window, MaskedAttentionKernel masked) => (Window, _masked) = (window, masked);

    public int Window { get; }

    public override Tensor Attend(Tensor q, Tensor k, Tensor v, long qStart, long kStart, ForwardContext context, int group = 1)
    {
        var t = q.shape[2] / group;
        if (group != 1 || qStart != 0 || kStart != 0 || t != k.shape[2] || t <= 2 * Window)
            return _masked.Attend(q, k, v, qStart, kStart, context, group);
        if (context.RecordAttentionLogits)
        {
            using var full = SlidingWindow.Mask(0, t, 0, t, Window, q.device, out _);
            context.ReportAttentionLogit(MaxLogit(q, k, full, false, _masked.Softcap));
        }
        // The CPU band kernel computes in float32 only: a bf16 model's queries, keys and values go to it as float32
        // (and its output comes back in their dtype) until it has a bf16 path.
        if (this is CpuBandAttentionKernel && q.dtype != ScalarType.Float32)
        {
            using var scope = NewDisposeScope();
            var type = q.dtype;
            return Band(q.to(ScalarType.Float32), k.to(ScalarType.Float32), v.to(ScalarType.Float32)).to(type).MoveToOuterDisposeScope();
        }
        return Band(q, k, v);
    }

    /// <summary>The band over a whole sequence: q, k [b, h, t, d], v [b, h, t, dv] to [b, h, t, dv].</summary>
    public abstract Tensor Band(Tensor q, Tensor k, Tensor v);
}
