using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>Common ground of the attention kinds: one layer's causal self-attention, with or without a cache.</summary>
public abstract class CausalSelfAttention : nn.Module
{
    protected CausalSelfAttention(string name, LayerSpec layer) : base(name) => Layer = layer;

    public LayerSpec Layer { get; }

    /// <summary>x: [batch, time, d_model] at absolute positions context.Start.. ; returns [batch, time, d_model].</summary>
    public abstract Tensor Forward(Tensor x, ForwardContext context);

    /// <summary>An empty cache of the shape this layer stores.</summary>
    public abstract KvCache NewCache();

    /// <summary>Scaled dot-product attention with the causal (and window) mask this layer needs.</summary>
    protected Tensor Attend(Tensor q, Tensor k, Tensor v, long kStart, ForwardContext context)
    {
        var qStart = context.Start;
        // A local layer over a whole sequence computes only its band (Longformer-style), not a T x T mask.
        if (Layer.Window is int window && qStart == 0 && kStart == 0 && q.shape[2] == k.shape[2] && q.shape[2] > 2 * window)
        {
            if (context.RecordAttentionLogits)
            {
                using var full = SlidingWindow.Mask(0, q.shape[2], 0, k.shape[2], window, q.device, out _);
                context.ReportAttentionLogit(MaxLogit(q, k, 0, 0, full, false));
            }
            return BandAttentionFunction.Accepts(q, v)
                ? BandAttentionFunction.Apply(q, k, v, window)
                : SlidingWindow.BandAttention(q, k, v, window, BandChunk(window));
        }
        using var mask = SlidingWindow.Mask(qStart, q.shape[2], kStart, k.shape[2], Layer.Window, q.device, out var causal);
        if (context.RecordAttentionLogits) context.ReportAttentionLogit(MaxLogit(q, k, qStart, kStart, mask, causal));
        return FusedAttention(q, k, v, mask, causal);
    }

    /// <summary>
    /// Attention of new queries against a cache that holds earlier keys, when several query heads share one key
    /// head: q is [b, kv_heads, group x t, d] (the group's heads stacked as rows, t queries each), k and v are
    /// [b, kv_heads, keys, d]. The mask of the t queries is repeated for every head of the group.
    /// </summary>
    protected Tensor AttendGrouped(Tensor q, Tensor k, Tensor v, long kStart, int group, ForwardContext context)
    {
        using var scope = NewDisposeScope();
        var t = q.shape[2] / group;
        var mask = SlidingWindow.Mask(context.Start, t, kStart, k.shape[2], Layer.Window, q.device, out var causal);
        if (causal) throw new InvalidOperationException("grouped attention expects earlier tokens in the cache");
        if (mask is not null) mask = mask.repeat(group, 1);                            // [group x t, keys]
        if (context.RecordAttentionLogits) context.ReportAttentionLogit(MaxLogit(q, k, 0, 0, mask, false));
        return FusedAttention(q, k, v, mask, false).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Scaled dot-product attention through libtorch's fused kernel. That kernel needs values as wide as queries
    /// and keys; when they differ (MLA: 48-wide queries and keys, 32-wide values) libtorch silently falls back to
    /// the unfused math path, which measured 1.5x slower here than padding the values with zeros and dropping
    /// the padded columns of the output (the zeros add nothing to any weighted sum).
    /// </summary>
    internal static Tensor FusedAttention(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causal)
    {
        long qk = q.shape[^1], dv = v.shape[^1];
        if (dv >= qk) return nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
        using var scope = NewDisposeScope();
        var padded = nn.functional.pad(v, new long[] { 0, qk - dv });
        return nn.functional.scaled_dot_product_attention(q, k, padded, mask, 0.0, causal).narrow(-1, 0, dv).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Query chunk of the band: a quarter of the window, at least 16. Each chunk computes window + chunk keys for
    /// window useful ones; smaller chunks waste less but make smaller matrix products (see SlidingWindow).
    /// </summary>
    internal static int BandChunk(int window) => Math.Max(16, window / 4);

    /// <summary>
    /// The largest logit q.k / sqrt(d) over the positions a query may attend to: the quantity whose growth
    /// signals attention-logit instability (Dehghani et al. 2023; Wortsman et al. 2023, arXiv 2309.14322).
    /// </summary>
    static double MaxLogit(Tensor q, Tensor k, long qStart, long kStart, Tensor? mask, bool causal)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[^1]);           // [b, heads, queries, keys]
        var allowed = mask ?? (causal ? ones(q.shape[2], k.shape[2], ScalarType.Bool, q.device).tril() : null);
        if (allowed is not null) logits = logits.masked_fill(allowed.logical_not(), double.NegativeInfinity);
        return logits.max().item<float>();
    }
}
