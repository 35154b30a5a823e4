using Ablations.Model.Norms;
using Ablations.Model.Positions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Attention;

/// <summary>
/// Multi-head latent attention (DeepSeek-V2, arXiv 2405.04434; DeepSeek-V3, arXiv 2412.19437). Keys and values
/// come from a shared latent of width kv_lora_rank, which is what the cache holds; RoPE acts on a separate,
/// decoupled slice (qk_rope_head_dim) whose key is shared by all heads and cached beside the latent.
/// Queries go through their own low-rank bottleneck when q_lora_rank > 0.
/// </summary>
public sealed class MultiHeadLatentAttention : CausalSelfAttention
{
    readonly Linear? q_proj, q_a_proj, q_b_proj;
    readonly RmsNorm? q_a_norm;
    readonly Linear kv_a_proj, kv_b_proj, o_proj;
    readonly RmsNorm kv_a_norm;
    readonly RotaryEmbedding? rope;
    readonly long _heads, _rank, _nope, _ropeDim, _vDim;
    readonly AbsorbedLatentDecoding _absorbed;

    public MultiHeadLatentAttention(ModelConfig model, LatentAttentionConfig a, LayerSpec layer, DeviceType device)
        : base(nameof(MultiHeadLatentAttention), layer, AttentionKernel.For(layer, device, a.QkNopeHeadDim + a.QkRopeHeadDim, a.VHeadDim, a.LogitSoftcap))
    {
        _absorbed = new AbsorbedLatentDecoding(a, layer.Window);
        _heads = a.NHeads;
        _rank = a.KvLoraRank;
        _nope = a.QkNopeHeadDim;
        _ropeDim = a.QkRopeHeadDim;
        _vDim = a.VHeadDim;
        long d = model.DModel, qk = _nope + _ropeDim;
        var qRank = a.QLoraRank;
        if (qRank > 0)
        {
            q_a_proj = nn.Linear(d, qRank, hasBias: false);
            q_a_norm = new RmsNorm(qRank, model.Norm.Eps);
            q_b_proj = nn.Linear(qRank, _heads * qk, hasBias: false);
        }
        else q_proj = nn.Linear(d, _heads * qk, hasBias: false);
        kv_a_proj = nn.Linear(d, _rank + _ropeDim, hasBias: false);
        kv_a_norm = new RmsNorm(_rank, model.Norm.Eps);
        kv_b_proj = nn.Linear(_rank, _heads * (_nope + _vDim), hasBias: false);
        o_proj = nn.Linear(_heads * _vDim, d, hasBias: false);
        rope = layer.Positions.Rotary(_ropeDim, model.ContextLength);
        RegisterComponents();
    }

    /// <summary>
    /// Decode through the cached latent with absorbed up-projections (default). Off, every decoding step rebuilds
    /// the keys and values of all held positions through kv_b_proj: the same result, kept to measure the difference.
    /// </summary>
    public bool AbsorbWhenDecoding { get; set; } = true;

    public override Tensor Forward(Tensor x, ForwardContext context)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (x.shape[0], x.shape[1]);
        var mp = context.Precision;
        x = mp.Compute(x);                                                          // cast once for both projections
        var qFlat = q_proj != null ? mp.Linear(q_proj, x) : mp.Linear(q_b_proj!, q_a_norm!.call(mp.Linear(q_a_proj!, x)));
        var q = qFlat.view(b, t, _heads, _nope + _ropeDim).transpose(1, 2);          // [b, heads, t, nope+rope]
        var qParts = q.split(new[] { _nope, _ropeDim }, -1);
        var (qNope, qRope) = (qParts[0], qParts[1]);

        var kvA = mp.Linear(kv_a_proj, x).split(new[] { _rank, _ropeDim }, -1);
        var latent = kv_a_norm.call(kvA[0]);                                            // [b, t, rank]
        var kRope = kvA[1].unsqueeze(1);                                                // [b, 1, t, rope]: one key shared by all heads
        if (rope != null) { qRope = rope.Apply(qRope, context.Start); kRope = rope.Apply(kRope, context.Start); }

        (qNope, qRope, kRope) = (mp.Compute(qNope), mp.Compute(qRope), mp.Compute(kRope));   // RoPE's float32 tables promote them
        var kStart = context.Start;
        if (context.CacheOf(Layer.Index) is { } cache)
        {
            (var held, kStart) = cache.Append(mp.Compute(latent), kRope.squeeze(1));               // caches [b, t, rank] and [b, t, rope]
            (latent, kRope) = (held[0], held[1].unsqueeze(1));
            if (AbsorbWhenDecoding && kStart < context.Start)                            // decoding against earlier tokens
            {
                var mixed = _absorbed.Attend(qNope, qRope, latent, kRope.squeeze(1), mp.Weight(kv_b_proj), context.Start, kStart, context);   // [b, heads, t, v]
                return mp.Linear(o_proj, mixed.transpose(1, 2).reshape(b, t, _heads * _vDim)).MoveToOuterDisposeScope();
            }
        }
        var keys = latent.shape[1];
        var kv = mp.Linear(kv_b_proj, latent).view(b, keys, _heads, _nope + _vDim).transpose(1, 2);  // [b, heads, keys, nope+v]
        var kvParts = kv.split(new[] { _nope, _vDim }, -1);
        var k = cat(new[] { kvParts[0], kRope.expand(b, _heads, keys, _ropeDim) }, -1);   // [b, heads, keys, nope+rope]
        q = cat(new[] { qNope, qRope }, -1);
        var y = Kernel.Attend(q, k, kvParts[1], context.Start, kStart, context);                       // [b, heads, t, v]
        y = y.transpose(1, 2).reshape(b, t, _heads * _vDim);
        return mp.Linear(o_proj, y).MoveToOuterDisposeScope();
    }

    public override KvCache NewCache() => new(timeDim: 1, Layer.Window);
}
