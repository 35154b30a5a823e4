using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// Attention over an explicit causal (and window) mask, or libtorch's implicit causal one where no other mask is
/// needed: every call shape (training, prefill, decoding against a cache, grouped query rows).
/// </summary>
public abstract class MaskedAttentionKernel : AttentionKernel
{
    protected MaskedAttentionKernel(int? window, double? softcap) => (Window, Softcap) = (window, softcap);

    public int? Window { get; }
    public double? Softcap { get; }

    public override Tensor Attend(Tensor q, Tensor k, Tensor v, long qStart, long kStart, ForwardContext context, int group = 1)
    {
        using var scope = NewDisposeScope();
        var t = q.shape[2] / group;
        var mask = SlidingWindow.Mask(qStart, t, kStart, k.shape[2], Window, q.device, out var causal);
        if (group > 1 && (mask is not null || causal))
        {
            mask = (mask ?? ones(t, k.shape[2], ScalarType.Bool, q.device).tril()).repeat(group, 1);   // [group x t, keys]
            causal = false;
        }
        if (context.RecordAttentionLogits) context.ReportAttentionLogit(MaxLogit(q, k, mask, causal, Softcap));
        return Mix(q, k, v, mask, causal).MoveToOuterDisposeScope();
    }

    /// <summary>softmax(scores + mask) v, with mask [queries, keys] (true = attend) or causal, or neither.</summary>
    public abstract Tensor Mix(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causal);
}
