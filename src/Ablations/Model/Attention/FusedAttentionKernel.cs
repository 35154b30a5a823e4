using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>libtorch's fused scaled dot-product attention (flash or memory-efficient where the device has them).</summary>
public sealed class FusedAttentionKernel : MaskedAttentionKernel
{
    public FusedAttentionKernel(int? window = null) : base(window, null) { }

    public override string Description => Window is int w ? $"fused scaled dot-product attention, window mask {w}" : "fused scaled dot-product attention";

    /// <summary>
    /// That kernel needs values as wide as queries and keys; when they differ (MLA: 48-wide queries and keys,
    /// 32-wide values) libtorch silently falls back to the unfused math path, which measured 1.5x slower here than
    /// padding the values with zeros and dropping the padded columns of the output (the zeros add nothing).
    /// </summary>
    public override Tensor Mix(Tensor q, Tensor k, Tensor v, Tensor? mask, bool causal)
    {
        long qk = q.shape[^1], dv = v.shape[^1];
        if (dv >= qk) return nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
        using var scope = NewDisposeScope();
        var padded = nn.functional.pad(v, new long[] { 0, qk - dv });
        return nn.functional.scaled_dot_product_attention(q, k, padded, mask, 0.0, causal).narrow(-1, 0, dv).MoveToOuterDisposeScope();
    }
}
