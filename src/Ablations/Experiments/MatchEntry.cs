using Ablations.Config;

namespace Ablations.Experiments;

/// <summary>Which parameter count a matched variant makes equal to the baseline's.</summary>
public enum ParameterCountKind { Total, Active }

/// <summary>
/// match: makes a variant's parameter count (total or active per token) equal the baseline's, within 1%, by solving
/// for one integer key the file names (model.feed_forward.hidden, model.n_layers, ...), as DeepSeek-V2 matched MHA,
/// GQA and MQA by depth, so that a difference in loss is not a difference in size.
/// </summary>
public sealed record MatchEntry : IValidatable
{
    public string Key { get; init; } = "model.feed_forward.hidden";
    public ParameterCountKind Count { get; init; } = ParameterCountKind.Total;

    public IEnumerable<ConfigError> Validate() => Array.Empty<ConfigError>();
}
