using YamlDotNet.RepresentationModel;

namespace Ablations.Experiments;

/// <summary>One arm of an ablation: its name and the dotted keys it overrides in the base configuration.</summary>
public sealed record VariantSpec(string Name, string Description, IReadOnlyList<KeyValuePair<string, YamlNode>> Set, int Line);
