using Ablations.Config;
using YamlDotNet.RepresentationModel;

namespace Ablations.Experiments;

/// <summary>
/// tune: each variant runs the grid (a learning rate, by default) on its first `seeds` seeds, is compared at its own
/// best grid value (lowest mean final validation loss there, a diverged run counting at its initial loss), and
/// its remaining seeds run at that value only: best-of-sweep, as Wortsman et al. 2023 (arXiv 2309.14322) compare.
/// </summary>
public sealed record TuneEntry : IValidatable
{
    /// <summary>The dotted key the grid sets.</summary>
    public string Key { get; init; } = "train.lr";
    /// <summary>The grid, e.g. half-decade steps [1e-3, 3e-3, 1e-2].</summary>
    public IReadOnlyList<YamlNode> Values { get; init; } = Array.Empty<YamlNode>();
    /// <summary>How many of the experiment's seeds run the whole grid; the rest run only at the chosen value.</summary>
    public int Seeds { get; init; } = 1;

    public IEnumerable<ConfigError> Validate()
    {
        if (Values.Count < 2 || Values.Any(v => v is not YamlScalarNode))
            yield return new("values", "expected a list of at least two values, e.g. [1.0e-3, 3.0e-3, 1.0e-2]");
        if (Values.OfType<YamlScalarNode>().Select(v => v.Value).Distinct().Count() != Values.Count)
            yield return new("values", "a value is listed twice");
        if (Seeds < 1) yield return new("seeds", $"must be at least 1, got {Seeds}");
    }
}
