using YamlDotNet.RepresentationModel;

namespace Ablations.Experiments;

/// <summary>One key of a sweep and the values it takes; axes are crossed with each other and with the variants.</summary>
public sealed record SweepAxis(string Key, IReadOnlyList<YamlNode> Values, int Line);
