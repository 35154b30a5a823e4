using Ablations.Model.Norms;
using Ablations.Model.Positions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Attention;

/// <summary>
/// Grouped-query attention (Ainslie et al. 2023, arXiv 2305.13245): n_heads query heads share n_kv_heads
/// key/value heads. Multi-head attention is n_kv_heads = n_heads; multi-query attention is n_kv_heads = 1.
/// Optional QK-Norm (RMSNorm per head on queries and keys, before RoPE).
/// </summary>
public sealed class GroupedQueryAttention : CausalSelfAttention
{
    readonly Linear q_proj, k_proj, v_proj, o_proj;
    readonly RmsNorm? q_norm, k_norm;
    readonly RotaryEmbedding? rope;
    readonly long _heads, _kvHeads, _headDim;

    public GroupedQueryAttention(ModelConfig model, GroupedAttentionConfig a, LayerSpec layer, DeviceType device)
        : base(nameof(GroupedQueryAttention), layer, AttentionKernel.For(layer, device, a.ResolvedHeadDim(model.DModel), a.ResolvedHeadDim(model.DModel), a.LogitSoftcap))
    {
        _heads = a.NHeads;
        _kvHeads = a.ResolvedNKvHeads;
        _headDim = a.ResolvedHeadDim(model.DModel);
        q_proj = nn.Linear(model.DModel, _heads * _headDim, hasBias: false);
        k_proj = nn.Linear(model.DModel, _kvHeads * _headDim, hasBias: false);
        v_proj = nn.Linear(model.DModel, _kvHeads * _headDim, hasBias: false);
        o_proj = nn.Linear(_heads * _headDim, model.DModel, hasBias: false);
        if (a.QkNorm)
        {
            q_norm = new RmsNorm(_headDim, model.Norm.Eps);
            k_norm = new RmsNorm(_headDim, model.Norm.Eps);
        }
        rope = layer.Positions.Rotary(_headDim, model.ContextLength);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext context)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (x.shape[0], x.shape[1]);
        var mp = context.Precision;
        x = mp.Compute(x);                                                          // cast once for the three projections
        var q = mp.Linear(q_proj, x).view(b, t, _heads, _headDim).transpose(1, 2);      // [b, heads, t, head_dim]
        var k = mp.Linear(k_proj, x).view(b, t, _kvHeads, _headDim).transpose(1, 2);    // [b, kv_heads, t, head_dim]
        var v = mp.Linear(v_proj, x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        if (q_norm != null) { q = q_norm.call(q); k = k_norm!.call(k); }
        if (rope != null) { q = rope.Apply(q, context.Start); k = rope.Apply(k, context.Start); }

        (q, k) = (mp.Compute(q), mp.Compute(k));                                    // RoPE's float32 tables promote them
        var kStart = context.Start;
        if (context.CacheOf(Layer.Index) is { } cache)
        {
            (var held, kStart) = cache.Append(k, v);
            (k, v) = (held[0], held[1]);                                            // [b, kv_heads, held+t, head_dim]
        }
        Tensor y;
        if (_kvHeads == _heads) y = Kernel.Attend(q, k, v, context.Start, kStart, context);          // [b, heads, t, head_dim]
        else if (kStart < context.Start)
        {
            // Decoding against a cache: the query heads of a group become rows of one query block per key/value
            // head, so the held keys are read once per group instead of being copied for every query head.
            var group = (int)(_heads / _kvHeads);
            y = Kernel.Attend(q.reshape(b, _kvHeads, group * t, _headDim), k, v, context.Start, kStart, context, group).view(b, _heads, t, _headDim);
        }
        else
        {
            k = k.repeat_interleave(_heads / _kvHeads, 1);                            // [b, heads, keys, head_dim]
            v = v.repeat_interleave(_heads / _kvHeads, 1);
            y = Kernel.Attend(q, k, v, context.Start, kStart, context);
        }
        y = y.transpose(1, 2).reshape(b, t, _heads * _headDim);
        return mp.Linear(o_proj, y).MoveToOuterDisposeScope();
    }

    public override KvCache NewCache() => new(timeDim: 2, Layer.Window);
}
