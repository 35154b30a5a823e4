using System.Globalization;
using Ablations.Config;
using YamlDotNet.RepresentationModel;
using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>
/// An ablation file: a base configuration, variants, seeds, an optional sweep and named scales. Expanding it
/// applies, in order, the scale, the variant, the sweep point, the command line's --set and the seed to the
/// base, and validates every resulting run configuration.
/// </summary>
public sealed class ExperimentSpec
{
    public required string Name { get; init; }
    public required string File { get; init; }
    public string Description { get; init; } = "";
    public required YamlMappingNode Base { get; init; }
    public required IReadOnlyList<VariantEntry> Variants { get; init; }
    /// <summary>Where each variant was written (its line), named when one of its runs is invalid.</summary>
    public IReadOnlyDictionary<string, int> VariantLines { get; init; } = new Dictionary<string, int>();
    public required string Baseline { get; init; }
    public required IReadOnlyList<int> Seeds { get; init; }
    /// <summary>Dotted key to the values it takes, in file order; the axes are crossed.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<YamlNode>> Sweep { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, YamlNode>> Scales { get; init; }
    /// <summary>A per-variant grid; <see cref="Expand"/> gives its grid runs, <see cref="ExpandCompletion"/> the rest at each variant's best.</summary>
    public TuneEntry? Tune { get; init; }

    /// <summary>The seeds that run the whole tuning grid (all seeds without tune).</summary>
    public IReadOnlyList<int> TuneSeeds => Tune == null ? Seeds : Seeds.Take(Tune.Seeds).ToList();
    public string? DefaultScale { get; init; }
    public IReadOnlyList<ClaimEntry> Claims { get; init; } = Array.Empty<ClaimEntry>();
    /// <summary>Figures the report shows; empty = its default choice.</summary>
    public IReadOnlyList<FigureName> ReportFigures { get; init; } = Array.Empty<FigureName>();
    /// <summary>Decode speed and cache at a long context, measured after training; null: not measured.</summary>
    public LatencyEntry? Latency { get; init; }

    /// <summary>The results folder of this experiment at a scale: NAME at the default scale, NAME.SCALE otherwise.</summary>
    public string FolderName(string? scale) => scale == null || scale == DefaultScale ? Name : $"{Name}.{scale}";

    /// <summary>
    /// Every run, in order variant, sweep point, seed; optionally only some variants. With tune: the grid runs, on
    /// the tuning seeds, at every point of the sweep's other axes.
    /// </summary>
    public IReadOnlyList<RunSpec> Expand(string? scale, IEnumerable<string>? commandLine = null, IReadOnlyCollection<string>? only = null) =>
        Expand(scale, commandLine, only, (variant, point) => TuneSeeds);

    /// <summary>
    /// With tune: the remaining seeds of each variant at its best grid point, per point of the other sweep axes
    /// (<see cref="TuneGroups.Key"/> to point label).
    /// </summary>
    public IReadOnlyList<RunSpec> ExpandCompletion(string? scale, IReadOnlyDictionary<string, string> best, IEnumerable<string>? commandLine = null,
        IReadOnlyCollection<string>? only = null) =>
        Expand(scale, commandLine, only, (variant, point) =>
            best.TryGetValue(TuneGroups.Key(variant, TuneGroups.Fixed(point, Tune!.Key)), out var label) && label == point ? Seeds.Skip(TuneSeeds.Count) : Array.Empty<int>());

    IReadOnlyList<RunSpec> Expand(string? scale, IEnumerable<string>? commandLine, IReadOnlyCollection<string>? only, Func<string, string, IEnumerable<int>> seedsOf)
    {
        scale ??= DefaultScale;
        IReadOnlyDictionary<string, YamlNode> scaleSet = new Dictionary<string, YamlNode>();
        if (scale != null && !Scales.TryGetValue(scale, out scaleSet!))
            throw new ConfigException($"scale '{scale}' is not defined; defined: {(Scales.Count == 0 ? "none" : string.Join(", ", Scales.Keys))}", File, key: "--scale");
        if (only != null)
            foreach (var o in only.Where(o => Variants.All(v => v.Name != o)))
                throw new ConfigException($"no variant '{o}'; variants: {string.Join(", ", Variants.Select(v => v.Name))}", File, key: "--only");
        var cli = commandLine?.ToList() ?? new List<string>();

        var runs = new List<RunSpec>();
        foreach (var variant in Variants.Where(v => only == null || only.Contains(v.Name)))
            foreach (var point in SweepPoints())
                foreach (var seed in seedsOf(variant.Name, point.Label))
                {
                    var origin = $"{File} (variant {variant.Name}{(point.Label.Length > 0 ? ", " + point.Label : "")}, seed {seed}, scale {scale ?? "none"})";
                    var tree = (YamlMappingNode)Clone(Base);
                    var applied = new Dictionary<string, string>();
                    void Apply(IEnumerable<KeyValuePair<string, YamlNode>> set, string what)
                    {
                        foreach (var (k, v) in ConfigOverrides.ApplyNodes(tree, typeof(RunConfig),
                                     set.Select(kv => (kv.Key, Clone(kv.Value), $"{File}: {what}"))))
                            applied[k] = v;
                    }
                    Apply(scaleSet, $"scale {scale}");
                    Apply(variant.Set, VariantLines.TryGetValue(variant.Name, out var line) ? $"line {line}, variant {variant.Name}" : $"variant {variant.Name}");
                    if (scale != null && variant.Scales.TryGetValue(scale, out var own)) Apply(own, $"variant {variant.Name}, scale {scale}");
                    Apply(point.Set, $"sweep {point.Label}");
                    foreach (var (k, v) in ConfigOverrides.Apply(tree, typeof(RunConfig), cli))
                    {
                        if (ExperimentLoader.OwnedKey(k.Split('.')) is { } owned) throw new ConfigException(owned, key: "--set");
                        applied[k] = v;
                    }
                    if (variant.Match is { } match)
                    {
                        var baseline = Expand(scale, commandLine, new[] { Baseline }, (v, p) => p == point.Label ? new[] { seed } : Array.Empty<int>()).Single();
                        foreach (var (k, v) in ParameterMatch.Solve(tree, applied, match, baseline.Config, origin)) applied[k] = v;
                    }
                    ConfigOverrides.Set(tree, new[] { "train", "seed" }, new YamlScalarNode(seed.ToString(CultureInfo.InvariantCulture)));
                    if (point.Label.Length > 0 && Experiments.FolderName.Problem(point.Label) is { } bad)
                        throw new ConfigException($"sweep point {Experiments.FolderName.Shown(point.Label)}: {bad}", File, key: "sweep");
                    var config = ConfigLoader.Bind<RunConfig>(tree, origin, applied);
                    runs.Add(new RunSpec
                    {
                        Variant = variant.Name,
                        SweepPoint = point.Label,
                        SweepValues = point.Values,
                        Seed = seed,
                        Config = config,
                        Folder = point.Label.Length == 0 ? Path.Combine(variant.Name, $"seed-{seed}") : Path.Combine(variant.Name, point.Label, $"seed-{seed}"),
                    });
                }
        return runs;
    }

    sealed record Point(string Label, IReadOnlyDictionary<string, string> Values, IReadOnlyList<KeyValuePair<string, YamlNode>> Set);

    IEnumerable<Point> SweepPoints()
    {
        IEnumerable<Point> points = new[] { new Point("", new Dictionary<string, string>(), Array.Empty<KeyValuePair<string, YamlNode>>()) };
        // The tuned key is the last axis: every point of the other axes runs the whole grid.
        var axes = Sweep.ToList();
        if (Tune != null) axes.Add(new KeyValuePair<string, IReadOnlyList<YamlNode>>(Tune.Key, Tune.Values));
        foreach (var (key, axis) in axes)
        {
            var current = points.ToList();
            points = current.SelectMany(p => axis.Select(v =>
            {
                var text = ((YamlScalarNode)v).Value ?? "";
                var label = AxisLabel(key, text);
                var values = new Dictionary<string, string>(p.Values) { [key] = text };
                return new Point(p.Label.Length == 0 ? label : p.Label + "," + label, values,
                    p.Set.Append(new KeyValuePair<string, YamlNode>(key, v)).ToList());
            }));
        }
        return points;
    }

    /// <summary>One axis of a sweep point's label (and folder name): the key's last part, '=', the value as written.</summary>
    public static string AxisLabel(string key, string value) => $"{key.Split('.')[^1]}={value}";

    internal static YamlNode Clone(YamlNode node) => node switch
    {
        YamlMappingNode m => new YamlMappingNode(m.Children.Select(kv => new KeyValuePair<YamlNode, YamlNode>(Clone(kv.Key), Clone(kv.Value)))),
        YamlSequenceNode s => new YamlSequenceNode(s.Children.Select(Clone)),
        YamlScalarNode sc => new YamlScalarNode(sc.Value) { Style = sc.Style },
        _ => node,
    };
}
