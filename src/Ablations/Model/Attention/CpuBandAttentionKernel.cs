using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// The band through <see cref="BandAttentionFunction"/>: hand-written AVX-512 (else AVX2/FMA) loops in which each
/// query reads exactly its window, forward and backward, on libtorch's own OpenMP threads.
/// </summary>
public sealed class CpuBandAttentionKernel : BandedAttentionKernel
{
    readonly ChunkedBandAttentionKernel _fallback;

    public CpuBandAttentionKernel(int window, MaskedAttentionKernel masked) : base(window, masked) =>
        _fallback = new ChunkedBandAttentionKernel(window, null, masked);

    public override string Description => $"band kernel (CPU, {BandKernel.Instructions}), window {Window}";

    /// <summary>
    /// The kernel computes in float32: bfloat16 and float16 inputs are widened for it (scores, softmax and sums in
    /// float32, as mixed precision keeps them) and the output narrowed back; other element types take the chunked band.
    /// </summary>
    public override Tensor Band(Tensor q, Tensor k, Tensor v)
    {
        if (BandAttentionFunction.Accepts(q, v)) return BandAttentionFunction.Apply(q, k, v, Window);
        if (q.dtype is not (ScalarType.BFloat16 or ScalarType.Float16) || k.dtype != q.dtype || v.dtype != q.dtype) return _fallback.Band(q, k, v);
        using var scope = NewDisposeScope();
        var (qf, kf, vf) = (q.to_type(ScalarType.Float32), k.to_type(ScalarType.Float32), v.to_type(ScalarType.Float32));
        if (!BandAttentionFunction.Accepts(qf, vf)) return _fallback.Band(q, k, v).MoveToOuterDisposeScope();
        return BandAttentionFunction.Apply(qf, kf, vf, Window).to_type(q.dtype).MoveToOuterDisposeScope();
    }
}
