using Ablations.Common;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// Which keys each query may see. Causal everywhere; a local layer (Longformer, arXiv 2004.05150; Gemma 2/3)
/// also drops keys more than window-1 positions back, so each token sees itself and window-1 before it.
/// </summary>
public static class SlidingWindow
{
    /// <summary>
    /// A boolean mask [queries, keys] (true = attend) for queries at absolute positions qStart.. and keys at kStart..,
    /// or null when no mask is needed: the caller then asks for plain causal attention when
    /// <paramref name="causal"/> is true, or none at all.
    /// </summary>
    public static Tensor? Mask(long qStart, long queries, long kStart, long keys, int? window, Device device, out bool causal)
    {
        causal = false;
        var sameSpan = qStart == kStart && queries == keys;
        if (window == null && sameSpan) { causal = queries > 1; return null; }
        if (window == null && queries == 1 && kStart + keys == qStart + 1) return null;   // one new token sees all held keys
        var q = arange(qStart, qStart + queries, device: device).unsqueeze(1);           // [queries, 1]
        var k = arange(kStart, kStart + keys, device: device).unsqueeze(0);              // [1, keys]
        var allowed = k.le(q);
        if (window is int w) allowed = allowed.logical_and(k.gt(q - w));
        return allowed;
    }

    /// <summary>
    /// Banded attention for a whole sequence from position 0 (training, prefill): queries in chunks of
    /// <paramref name="chunk"/> attend only to the keys of their band, [chunk start - window + 1, chunk end), so the
    /// work grows with T x (window + chunk) instead of T x T. Equal to masked attention over the full sequence.
    /// Written as two batched matrix products around a softmax rather than through libtorch's fused kernel: with
    /// a mask that kernel measured slower here than the plain products (it converts and reads the mask for every
    /// head and cannot skip the band's empty corners). q: [b, h, t, d]; k: [b, h, t, d]; v: [b, h, t, dv].
    /// Returns [b, h, t, dv]. With <paramref name="softcap"/>, scores become cap * tanh(scores / cap) first.
    /// </summary>
    public static Tensor BandAttention(Tensor q, Tensor k, Tensor v, int window, int chunk, double? softcap = null)
    {
        using var scope = NewDisposeScope();
        var (b, h, t, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3]);
        var dv = v.shape[3];
        long n = (t + chunk - 1) / chunk, padded = n * chunk, span = window + chunk;
        // Keys get `window` positions of zeros in front (masked out) and the tail padding of the queries.
        Tensor Keys(Tensor x) => nn.functional.pad(x, new long[] { 0, 0, window, padded - t })
            .unfold(2, span, chunk)                                         // [b, h, n, dim, span]
            .transpose(-1, -2)                                              // [b, h, n, span, dim]
            .reshape(b * h, n, span, x.shape[3]);
        var scaled = q * Scalars.Of(1.0 / Math.Sqrt(d));                              // scale the small tensor, not the scores
        var qc = nn.functional.pad(scaled, new long[] { 0, 0, 0, padded - t }).reshape(b * h, n, chunk, d);   // [b*h, n, chunk, d]
        var scores = MixedPrecision.Full(qc.matmul(Keys(k).transpose(-1, -2)));   // [b*h, n, chunk, span], float32 scores
        var values = Keys(v);
        if (softcap is double cap) scores = SoftCap.Apply(scores, cap);           // Gemma 2's cap, before the mask
        scores.add_(BandBias(n, chunk, window, q.device));                   // -inf outside the band, in place
        var probs = scores.softmax(-1);
        var y = (probs.dtype == values.dtype ? probs : probs.to(values.dtype)).matmul(values);   // [b*h, n, chunk, dv]
        return y.reshape(b, h, padded, dv).narrow(2, 0, t).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Additive mask [n, chunk, window + chunk] of the band: 0 where query i of chunk c (at c*chunk + i) may see
    /// key j of its band (at c*chunk - window + j), -inf elsewhere (future keys, keys window or more behind, and
    /// the zero padding in front of the sequence).
    /// </summary>
    static Tensor BandBias(long n, long chunk, long window, Device device)
    {
        using var scope = NewDisposeScope();
        var c = arange(n, device: device).view(n, 1, 1);
        var queryPos = c * chunk + arange(chunk, device: device).view(1, chunk, 1);
        var keyPos = c * chunk - window + arange(window + chunk, device: device).view(1, 1, window + chunk);
        var allowed = keyPos.le(queryPos).logical_and(keyPos.gt(queryPos - window)).logical_and(keyPos.ge(0));
        return zeros(allowed.shape, device: device).masked_fill_(allowed.logical_not(), Scalars.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
