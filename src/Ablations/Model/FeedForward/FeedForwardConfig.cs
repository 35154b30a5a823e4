using Ablations.Config;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.FeedForward;

/// <summary>
/// The feed-forward family, chosen by <c>kind:</c>: GELU MLP, SwiGLU, GeGLU or MatFormer's nested block. The
/// layer plan puts a mixture of experts (model.moe) in its place on MoE layers.
/// </summary>
public abstract record FeedForwardConfig : IValidatable
{
    public FeedForwardKind Kind { get; init; }
    /// <summary>Hidden width; each kind has its default (4 x d_model for gelu, 8/3 x d_model rounded up to 8 for gated kinds).</summary>
    public int? Hidden { get; init; }

    public abstract long ResolvedHidden(long dModel);

    /// <summary>Weight matrices per hidden unit: 2 for the plain MLP, 3 for gated units (also each expert's).</summary>
    public abstract int MatricesPerHidden { get; }

    public abstract FeedForwardModule Build(ModelConfig model, LayerSpec layer);

    /// <summary>The hidden activation from the up projection and, for gated kinds, the gate projection (routed experts use it).</summary>
    public abstract Tensor Activate(Tensor? gate, Tensor up);

    /// <summary>A dense block of this kind with another hidden width (shared experts, routed experts' shape).</summary>
    public abstract FeedForwardModule BuildDense(long dModel, long hidden);

    /// <summary>Nested sub-models this block holds (MatFormer); 1 for every other kind.</summary>
    public virtual int GranularityCount => 1;

    /// <summary>The block that granularity <paramref name="index"/>'s sub-model is (itself for kinds without nesting).</summary>
    public virtual FeedForwardConfig AtGranularity(int index, long dModel) => this;

    /// <summary>One layer's parameters, by component.</summary>
    public virtual IReadOnlyList<ParameterTally> Parameters(ModelConfig model) =>
        new[] { new ParameterTally("dense feed-forward", (long)MatricesPerHidden * model.DModel * ResolvedHidden(model.DModel)) };

    public virtual IEnumerable<ConfigError> Validate()
    {
        if (Hidden is <= 0) yield return new("hidden", $"must be a positive integer, got {Hidden}");
        foreach (var e in SizeLimits.Above(("hidden", Hidden, SizeLimits.Hidden))) yield return e;
    }
}
