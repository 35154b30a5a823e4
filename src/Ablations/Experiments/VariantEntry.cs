using Ablations.Config;
using YamlDotNet.RepresentationModel;

namespace Ablations.Experiments;

/// <summary>One arm of an ablation: its name (also its results folder) and the dotted keys it overrides in the base configuration.</summary>
public sealed record VariantEntry : IValidatable
{
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>Dotted key (model.attention.kind, or a shortened one) to the value written, in file order.</summary>
    public IReadOnlyDictionary<string, YamlNode> Set { get; init; } = new Dictionary<string, YamlNode>();
    /// <summary>
    /// Per scale, keys set after <see cref="Set"/> at that scale only: a variant's own shape at another size (an MLA
    /// latent that keeps its ratio to d_model at the full scale, say).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, YamlNode>> Scales { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, YamlNode>>();
    /// <summary>Solve one key so this variant's parameter count equals the baseline's (after its set).</summary>
    public MatchEntry? Match { get; init; }

    public IEnumerable<ConfigError> Validate()
    {
        if (Name.Length == 0) yield return new("name", "a variant needs a name");
        else if (FolderName.Problem(Name) is { } problem) yield return new("name", problem);
    }
}
