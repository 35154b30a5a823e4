namespace Ablations.Config;

/// <summary>How the model knows token order: RoPE with its base theta, learned absolute embeddings, or nothing.</summary>
public sealed record PositionConfig : IValidatable
{
    public PositionKind Kind { get; init; } = PositionKind.Rope;
    public double RopeTheta { get; init; } = 10000.0;

    public IEnumerable<ConfigError> Validate()
    {
        if (RopeTheta <= 1) yield return new("rope_theta", $"must be greater than 1, got {RopeTheta}");
    }
}
