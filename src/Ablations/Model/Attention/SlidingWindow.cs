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
}
