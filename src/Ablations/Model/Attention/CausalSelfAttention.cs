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
    protected Tensor Attend(Tensor q, Tensor k, Tensor v, long qStart, long kStart)
    {
        using var mask = SlidingWindow.Mask(qStart, q.shape[2], kStart, k.shape[2], Layer.Window, q.device, out var causal);
        return nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, causal);
    }
}
