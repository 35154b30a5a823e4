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

    /// <summary>
    /// Scaled dot-product attention with the causal (and window) mask this layer needs. With group &gt; 1 the
    /// query heads sharing one key/value head come stacked as rows, q: [b, kv_heads, group x t, d] against
    /// k, v: [b, kv_heads, keys, d], and the mask of the t queries is repeated for every head of the group.
    /// </summary>
    protected Tensor Attend(Tensor q, Tensor k, Tensor v, long kStart, ForwardContext context, int group = 1)
    {
        var qStart = context.Start;
        var t = q.shape[2] / group;
        // A local layer over a whole sequence computes only its band (Longformer-style), not a T x T mask.
        if (Layer.Window is int window && group == 1 && qStart == 0 && kStart == 0 && t == k.shape[2] && t > 2 * window)
        {
            if (context.RecordAttentionLogits)
            {
                using var full = SlidingWindow.Mask(0, t, 0, t, window, q.device, out _);
                context.ReportAttentionLogit(MaxLogit(q, k, full, false));
            }
            return BandAttentionFunction.Accepts(q, v)
                ? BandAttentionFunction.Apply(q, k, v, window)
                : SlidingWindow.BandAttention(q, k, v, window, BandChunk(window));
        }
        using var scope = NewDisposeScope();
        var mask = SlidingWindow.Mask(qStart, t, kStart, k.shape[2], Layer.Window, q.device, out var causal);
        if (group > 1 && (mask is not null || causal))
        {
            mask = (mask ?? ones(t, k.shape[2], ScalarType.Bool, q.device).tril()).repeat(group, 1);   // [group x t, keys]
            causal = false;
        }
        if (context.RecordAttentionLogits) context.ReportAttentionLogit(MaxLogit(q, k, mask, causal));
        return FusedAttention(q, k, v, mask, causal).MoveToOuterDisposeScope();
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
    static double MaxLogit(Tensor q, Tensor k, Tensor? mask, bool causal)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(q.shape[^1]);           // [b, heads, queries, keys]
        var allowed = mask ?? (causal ? ones(q.shape[2], k.shape[2], ScalarType.Bool, q.device).tril() : null);
        if (allowed is not null) logits = logits.masked_fill(allowed.logical_not(), double.NegativeInfinity);
        return logits.max().item<float>();
    }
}
