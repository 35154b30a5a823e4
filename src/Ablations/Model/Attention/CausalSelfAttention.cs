using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// Common ground of the attention kinds: one layer's causal self-attention, with or without a cache. A layer owns
/// its projections and cache; its kernel (chosen once, at build) owns the mask, the scores and the softmax.
/// </summary>
public abstract class CausalSelfAttention : nn.Module
{
    protected CausalSelfAttention(string name, LayerSpec layer, AttentionKernel kernel) : base(name)
    {
        Layer = layer;
        Kernel = kernel;
    }

    public LayerSpec Layer { get; }

    public AttentionKernel Kernel { get; }

    /// <summary>x: [batch, time, d_model] at absolute positions context.Start.. ; returns [batch, time, d_model].</summary>
    public abstract Tensor Forward(Tensor x, ForwardContext context);

    /// <summary>An empty cache of the shape this layer stores.</summary>
    public abstract KvCache NewCache();
}
