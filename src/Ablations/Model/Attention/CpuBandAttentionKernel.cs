using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// The band through <see cref="BandAttentionFunction"/>: hand-written AVX2/FMA loops in which each query reads
/// exactly its window, forward and backward, on libtorch's own OpenMP threads.
/// </summary>
public sealed class CpuBandAttentionKernel : BandedAttentionKernel
{
    readonly ChunkedBandAttentionKernel _fallback;

    public CpuBandAttentionKernel(int window, MaskedAttentionKernel masked) : base(window, masked) =>
        _fallback = new ChunkedBandAttentionKernel(window, null, masked);

    public override string Description => $"band kernel (CPU, AVX2/FMA), window {Window}";

    /// <summary>The kernel computes in float32; other element types take the chunked band.</summary>
    public override Tensor Band(Tensor q, Tensor k, Tensor v) =>
        BandAttentionFunction.Accepts(q, v) ? BandAttentionFunction.Apply(q, k, v, Window) : _fallback.Band(q, k, v);
}
