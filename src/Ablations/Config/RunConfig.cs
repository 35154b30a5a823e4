namespace Ablations.Config;

/// <summary>The root of a configuration file: the model, and for presets the published figures to compare with.</summary>
public sealed record RunConfig : IValidatable
{
    public ModelConfig Model { get; init; } = new();
    public ReferenceConfig? Reference { get; init; }

    public IEnumerable<ConfigError> Validate() =>
        Model.Validate().Select(e => e with { Key = "model." + e.Key });
}
