using Ablations.Common;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// The explicit math path: scores q.k / sqrt(d), soft-capped when asked (Gemma 2's cap * tanh(s / cap), which
/// libtorch's fused kernel cannot apply), masked, softmax, times v. Materialises the queries x keys scores.
/// </summary>
public sealed class MathAttentionKernel : MaskedAttentionKernel
{
    public MathAttentionKernel(int? window = null, double? softcap = null) : base(window, softcap) { }

    public override string Description =>
        "math path" + (Softcap is double c ? $", scores soft-capped at {c:G}" : "") + (Window is int w ? $", window mask {w}" : "");

    public override Tensor Mix(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causal)
    {
        using var scope = NewDisposeScope();
        var scores = Scores(q, k, Softcap);                                              // [b, heads, queries, keys]
        var allowed = mask ?? (causal ? ones(q.shape[2], k.shape[2], ScalarType.Bool, q.device).tril() : null);
        if (allowed is not null) scores = scores.masked_fill(allowed.logical_not(), Scalars.NegativeInfinity);
        var probs = scores.softmax(-1);                                                  // float32 normaliser in every precision
        if (probs.dtype != v.dtype) probs = probs.to(v.dtype);
        return probs.matmul(v).MoveToOuterDisposeScope();
    }
}
