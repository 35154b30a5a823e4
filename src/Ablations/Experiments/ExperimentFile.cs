using Ablations.Config;
using YamlDotNet.RepresentationModel;

namespace Ablations.Experiments;

/// <summary>
/// An experiment file as written, bound by the same binder as run configurations. The run-configuration parts
/// (base, variants' set, sweep, scales) stay YAML until expansion applies them; what can be checked without the
/// run configuration is checked here.
/// </summary>
public sealed record ExperimentFile : IValidatable
{
    /// <summary>Names the results folder; the file name when absent.</summary>
    public string? Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>A run file, relative to this one, that <see cref="Base"/> is merged over.</summary>
    public string? Extends { get; init; }
    public YamlMappingNode? Base { get; init; }
    /// <summary>The variant others are compared with; the first variant when absent.</summary>
    public string? Baseline { get; init; }
    /// <summary>Seeds of every variant; [0] when absent.</summary>
    public IReadOnlyList<int>? Seeds { get; init; }
    public IReadOnlyList<VariantEntry> Variants { get; init; } = Array.Empty<VariantEntry>();
    /// <summary>Dotted key to the values it takes; the axes are crossed with each other and with the variants.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<YamlNode>> Sweep { get; init; } = new Dictionary<string, IReadOnlyList<YamlNode>>();
    /// <summary>A per-variant grid (a learning rate) whose best point each variant is compared at.</summary>
    public TuneEntry? Tune { get; init; }
    /// <summary>Scale name (smoke, small, full) to the dotted keys it sets.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, YamlNode>> Scales { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, YamlNode>>();
    /// <summary>The scale used without --scale; "small" when absent and defined.</summary>
    public string? DefaultScale { get; init; }
    public IReadOnlyList<ClaimEntry> Claims { get; init; } = Array.Empty<ClaimEntry>();
    /// <summary>The figures the report shows; empty means its default choice.</summary>
    public IReadOnlyList<FigureName> ReportFigures { get; init; } = Array.Empty<FigureName>();
    /// <summary>Decode speed and cache at a long context, measured after training.</summary>
    public LatencyEntry? Latency { get; init; }

    public IEnumerable<ConfigError> Validate()
    {
        if (Latency != null)
        {
            foreach (var e in Latency.Validate()) yield return e with { Key = "latency." + e.Key };
            for (int i = 0; i < Latency.Variants.Count; i++)
                if (Variants.All(v => v.Name != Latency.Variants[i]))
                    yield return new($"latency.variants[{i}]", $"no variant '{Latency.Variants[i]}'; variants: {string.Join(", ", Variants.Select(v => v.Name))}");
        }
        if (Name != null && FolderName.Problem(Name) is { } bad) yield return new("name", bad);
        if (Variants.Count == 0) yield return new("variants", "an experiment needs variants: a list of { name, set }");
        var names = Variants.Select(v => v.Name).ToList();
        for (int i = 0; i < Variants.Count; i++)
        {
            foreach (var e in Variants[i].Validate()) yield return e with { Key = $"variants[{i}].{e.Key}" };
            var first = names.IndexOf(names[i]);
            if (names[i].Length > 0 && first < i) yield return new($"variants[{i}].name", $"duplicate variant name '{names[i]}' (also variants[{first}])");
        }
        var variants = $"variants: {string.Join(", ", names)}";
        if (Baseline != null && !names.Contains(Baseline)) yield return new("baseline", $"'{Baseline}' is not a variant; {variants}");
        for (int i = 0; i < Variants.Count; i++)
            if (Variants[i].Match != null && Variants[i].Name == (Baseline ?? names.FirstOrDefault()))
                yield return new($"variants[{i}].match", "the baseline is what the others are matched to; match applies to the other variants");
        for (int i = 0; i < Claims.Count; i++)
            foreach (var (key, name) in new[] { ("a", Claims[i].A), ("b", Claims[i].B) })
                if (!names.Contains(name)) yield return new($"claims[{i}].{key}", $"'{name}' is not a variant; {variants}");
        for (int i = 0; i < Claims.Count; i++)
        {
            var c = Claims[i];
            if (c.Expect == ClaimExpectation.Similar && c.Metric != ClaimMetric.KvCache && !(c.Margin > 0 && double.IsFinite(c.Margin.Value)))
                yield return new($"claims[{i}].margin", "expect: similar needs margin: the difference within which the two count as equivalent (e.g. 0.02 nats), a positive number");
            if (c.Expect != ClaimExpectation.Similar && c.Margin != null)
                yield return new($"claims[{i}].margin", "applies to expect: similar only");
            if (c.Tokens is <= 0) yield return new($"claims[{i}].tokens", $"must be a positive number of tokens, got {c.Tokens}");
        }
        if (Tune != null)
        {
            foreach (var e in Tune.Validate()) yield return e with { Key = "tune." + e.Key };
            if (Sweep.ContainsKey(Tune.Key)) yield return new($"sweep.{Tune.Key}", $"{Tune.Key} is tuned (tune.key); a sweep over it too would run its grid twice: sweep other keys, or drop tune");
            else if (Sweep.Keys.Any(k => k.Split('.')[^1] == Tune.Key.Split('.')[^1]))
                yield return new("tune.key", $"{Tune.Key} ends like a sweep key ({string.Join(", ", Sweep.Keys.Where(k => k.Split('.')[^1] == Tune.Key.Split('.')[^1]))}), so their run labels would clash");
            if (Tune.Seeds > (Seeds?.Count ?? 1))
                yield return new("tune.seeds", $"{Tune.Seeds} tuning seeds but the experiment lists {Seeds?.Count ?? 1}");
        }
        if (Seeds is { Count: 0 }) yield return new("seeds", "expected a non-empty list of integers, e.g. [0, 1, 2]");
        for (int i = 0; Seeds != null && i < Seeds.Count; i++)
            if (Seeds.Take(i).Contains(Seeds[i])) yield return new($"seeds[{i}]", $"seed {Seeds[i]} is listed twice");
        foreach (var (key, values) in Sweep)
        {
            if (values is not { Count: > 0 } || values.Any(v => v is not YamlScalarNode))
                yield return new($"sweep.{key}", "expected a non-empty list of values, e.g. [1e-3, 3e-3]");
            else
                foreach (var e in LabelErrors($"sweep.{key}", key, values)) yield return e;
        }
        if (Tune != null && Tune.Values.All(v => v is YamlScalarNode))
            foreach (var e in LabelErrors("tune.values", Tune.Key, Tune.Values)) yield return e;
        foreach (var scale in Scales.Keys)
            if (FolderName.Problem(scale) is { } problem) yield return new($"scales.{scale}", problem);
        if (DefaultScale != null && !Scales.ContainsKey(DefaultScale))
            yield return new("default_scale", $"'{DefaultScale}' is not among the scales ({string.Join(", ", Scales.Keys)})");
    }

    /// <summary>Each value of an axis becomes part of a run folder's name (key=value): it must pass the folder-name rule.</summary>
    static IEnumerable<ConfigError> LabelErrors(string at, string key, IReadOnlyList<YamlNode> values)
    {
        for (int i = 0; i < values.Count; i++)
        {
            var text = ((YamlScalarNode)values[i]).Value ?? "";
            if (FolderName.Problem(ExperimentSpec.AxisLabel(key, text)) is { } problem)
                yield return new($"{at}[{i}]", $"the value names the run folders of its sweep point: {problem}");
        }
    }
}
