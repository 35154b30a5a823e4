using Ablations.Common;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// MLA's decoding kernel with the up-projections absorbed (DeepSeek-V2, arXiv 2405.04434, section 2.1.2): instead
/// of rebuilding every cached position's keys and values through kv_b_proj at each step, each query is carried
/// into the latent space, q_nope W_UK, scored against the cached latents directly, and the weighted sum of latents
/// is carried out through W_UV once per query. The work per new token then grows with rank, not
/// heads x (nope + v), per held position. All heads share the latent and RoPE key, so the heads fold into the
/// query rows of one product.
/// </summary>
public sealed class AbsorbedLatentDecoding
{
    readonly long _heads, _rank, _nope, _ropeDim, _vDim;
    readonly int? _window;
    readonly double? _softcap;

    public AbsorbedLatentDecoding(LatentAttentionConfig config, int? window)
    {
        (_heads, _rank, _nope, _ropeDim, _vDim) = (config.NHeads, config.KvLoraRank, config.QkNopeHeadDim, config.QkRopeHeadDim, config.VHeadDim);
        _window = window;
        _softcap = config.LogitSoftcap;
    }

    /// <summary>
    /// qNope: [b, heads, t, nope]; qRope: [b, heads, t, rope] (rotated); latent: [b, keys, rank]; kRope: [b, keys, rope];
    /// kvB: kv_b_proj's weight [heads x (nope + v), rank]. Queries at qStart.. follow keys held from kStart.
    /// Returns the mixed values [b, heads, t, v].
    /// </summary>
    public Tensor Attend(Tensor qNope, Tensor qRope, Tensor latent, Tensor kRope, Tensor kvB, long qStart, long kStart, ForwardContext context)
    {
        var (b, t, keys) = (qNope.shape[0], qNope.shape[2], latent.shape[1]);
        var w = kvB.view(_heads, _nope + _vDim, _rank).split(new[] { _nope, _vDim }, 1);
        var (wUK, wUV) = (w[0], w[1]);                                                  // [heads, nope, rank], [heads, v, rank]
        var scale = 1.0 / Math.Sqrt(_nope + _ropeDim);
        var qLatent = qNope.matmul(wUK).mul_(scale).reshape(b, _heads * t, _rank);    // [b, heads*t, rank]
        var qPosition = (qRope * Scalars.Of(scale)).reshape(b, _heads * t, _ropeDim);
        // Two products over the held positions (latent part + RoPE part) read the cache where it lies.
        var scores = MixedPrecision.Full(qLatent.bmm(latent.transpose(1, 2))
            .add_(qPosition.bmm(kRope.transpose(1, 2)))).view(b, _heads, t, keys);      // [b, heads, t, keys], float32 scores
        using var mask = SlidingWindow.Mask(qStart, t, kStart, keys, _window, scores.device, out var causal);
        if (causal) throw new InvalidOperationException("absorbed decoding expects earlier tokens in the cache");
        if (_softcap is double cap) scores = SoftCap.Apply(scores, cap);
        if (mask is not null) scores = scores.masked_fill(mask.logical_not(), Scalars.NegativeInfinity);
        if (context.RecordAttentionLogits)
            using (no_grad()) context.ReportAttentionLogit(scores.max().item<float>());
        var probs = scores.softmax(-1);
        if (probs.dtype != latent.dtype) probs = probs.to(latent.dtype);
        var mixed = probs.view(b, _heads * t, keys).bmm(latent);                         // [b, heads*t, rank]
        return mixed.view(b, _heads, t, _rank).matmul(wUV.transpose(1, 2));             // [b, heads, t, v]
    }
}
