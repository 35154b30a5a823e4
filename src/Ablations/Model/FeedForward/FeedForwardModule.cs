using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.FeedForward;

/// <summary>Common ground of the feed-forward kinds: [batch, time, d_model] to the same shape.</summary>
public abstract class FeedForwardModule : nn.Module
{
    protected FeedForwardModule(string name) : base(name) { }

    /// <summary>MoE layers add their balance loss to <paramref name="context"/>; dense ones ignore it.</summary>
    public abstract Tensor Forward(Tensor x, ForwardContext context);
}
