namespace Ablations.Config;

/// <summary>Which norm (RMSNorm or LayerNorm) and where it sits around each residual branch.</summary>
public sealed record NormConfig : IValidatable
{
    public NormKind Kind { get; init; } = NormKind.Rmsnorm;
    public NormPlacement Placement { get; init; } = NormPlacement.Pre;
    public double Eps { get; init; } = 1e-5;

    public IEnumerable<ConfigError> Validate()
    {
        if (Eps <= 0 || Eps >= 1) yield return new("eps", $"must be in (0, 1), got {Eps}");
    }
}
