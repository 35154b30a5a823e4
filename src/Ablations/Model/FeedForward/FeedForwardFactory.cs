using Ablations.Config;

namespace Ablations.Model.FeedForward;

/// <summary>The one place a feed-forward kind (and MoE or not, per the layer plan) becomes a module.</summary>
public static class FeedForwardFactory
{
    public static FeedForwardModule Create(ModelConfig model, LayerSpec layer) =>
        layer.IsMoe ? new MoeFeedForward(model) : Dense(model.FeedForward.Kind, model.DModel, model.FeedForward.ResolvedHidden(model.DModel));

    public static FeedForwardModule Dense(FeedForwardKind kind, long dModel, long hidden) => kind switch
    {
        FeedForwardKind.Gelu => new GeluMlp(dModel, hidden),
        FeedForwardKind.Swiglu => new SwiGlu(dModel, hidden),
        FeedForwardKind.Geglu => new SwiGlu(dModel, hidden, geluGate: true),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Weight matrices per hidden unit: 2 for the plain MLP, 3 for gated units.</summary>
    public static long MatricesOf(FeedForwardKind kind) => kind == FeedForwardKind.Gelu ? 2 : 3;

    public static long DenseParameterCount(FeedForwardKind kind, long dModel, long hidden) => MatricesOf(kind) * dModel * hidden;
}
