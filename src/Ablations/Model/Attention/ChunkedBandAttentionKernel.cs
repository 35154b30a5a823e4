using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// The band as tensor operations (any device, any head width): query chunks of a quarter window against the keys
/// of their band, two batched products around a masked softmax (<see cref="SlidingWindow.BandAttention"/>);
/// soft-capped scores when the layer caps them.
/// </summary>
public sealed class ChunkedBandAttentionKernel : BandedAttentionKernel
{
    readonly double? _softcap;

    public ChunkedBandAttentionKernel(int window, double? softcap, MaskedAttentionKernel masked) : base(window, masked) => _softcap = softcap;

    public override string Description => $"chunked band (tensor operations), window {Window}" + (_softcap is double c ? $", scores soft-capped at {c:G}" : "");

    /// <summary>
    /// Query chunk of the band: a quarter of the window, at least 16. Each chunk computes window + chunk keys for
    /// window useful ones; smaller chunks waste less but make smaller matrix products (see SlidingWindow).
    /// </summary>
    public int Chunk => Math.Max(16, Window / 4);

    public override Tensor Band(Tensor q, Tensor k, Tensor v) => SlidingWindow.BandAttention(q, k, v, Window, Chunk, _softcap);
}
