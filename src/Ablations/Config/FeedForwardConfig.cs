namespace Ablations.Config;

/// <summary>The dense feed-forward block: its activation and hidden width.</summary>
public sealed record FeedForwardConfig : IValidatable
{
    public FeedForwardKind Kind { get; init; } = FeedForwardKind.Swiglu;
    /// <summary>Hidden width; when absent 4 x d_model for gelu, 8/3 x d_model (rounded up to 8) for gated kinds.</summary>
    public int? Hidden { get; init; }

    public int ResolvedHidden(int dModel) => Hidden ?? (Kind == FeedForwardKind.Gelu ? 4 * dModel : (8 * dModel / 3 + 7) / 8 * 8);

    public IEnumerable<ConfigError> Validate()
    {
        if (Hidden is <= 0) yield return new("hidden", $"must be a positive integer, got {Hidden}");
    }
}
