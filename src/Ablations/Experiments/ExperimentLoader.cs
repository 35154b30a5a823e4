using Ablations.Config;
using YamlDotNet.RepresentationModel;
using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>
/// Reads an experiment file and checks it whole: the binder refuses unknown keys, wrong types and values
/// outside an enum; the file checks itself (names, baseline, claims, seeds, scales); then every dotted key must
/// exist in the run configuration and every expanded run configuration must be valid.
/// </summary>
public static class ExperimentLoader
{
    public static ExperimentSpec Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException("file not found", path);
        var root = ConfigLoader.ReadTree(File.ReadAllText(path), path);
        var binder = new YamlBinder(path);
        var file = binder.Bind<ExperimentFile>(root);
        ConfigLoader.Check(file, binder);

        for (int i = 0; i < file.Variants.Count; i++)
            foreach (var key in file.Variants[i].Set.Keys)
                CheckKey(path, binder, $"variants[{i}].set", key, $"variant {file.Variants[i].Name}");
        for (int i = 0; i < file.Variants.Count; i++)
            foreach (var (scale, set) in file.Variants[i].Scales)
            {
                if (!file.Scales.ContainsKey(scale))
                    throw binder.ErrorAt($"variants[{i}].scales.{scale}", $"variant {file.Variants[i].Name}: scale '{scale}' is not among the experiment's scales ({string.Join(", ", file.Scales.Keys)})");
                foreach (var key in set.Keys) CheckKey(path, binder, $"variants[{i}].scales.{scale}", key, $"variant {file.Variants[i].Name}, scale {scale}");
            }
        foreach (var key in file.Sweep.Keys) CheckKey(path, binder, "sweep", key, "sweep");
        for (int i = 0; i < file.Variants.Count; i++)
            if (file.Variants[i].Match is { } match)
                CheckKey(path, binder, binder.Marks.ContainsKey($"variants[{i}].match.key") ? $"variants[{i}].match.key" : $"variants[{i}].match", match.Key, $"variant {file.Variants[i].Name}");
        if (file.Tune != null) CheckKey(path, binder, binder.Marks.ContainsKey("tune.key") ? "tune.key" : "tune", file.Tune.Key, "tune");
        foreach (var (scale, set) in file.Scales)
            foreach (var key in set.Keys) CheckKey(path, binder, $"scales.{scale}", key, $"scale {scale}");

        if (file.Name == null && FolderName.Problem(Path.GetFileNameWithoutExtension(path)) is { } unnamed)
            throw new ConfigException($"the file's name becomes the results folder's: {unnamed}; give the experiment a name: key", path, key: "name");
        var spec = new ExperimentSpec
        {
            Name = file.Name ?? Path.GetFileNameWithoutExtension(path),
            File = path,
            Description = file.Description,
            Base = BaseTree(path, file, binder),
            Variants = file.Variants,
            VariantLines = file.Variants.Select((v, i) => (v.Name, Line: (int)binder.Marks[$"variants[{i}]"].Line))
                .ToDictionary(v => v.Name, v => v.Line),
            Baseline = file.Baseline ?? file.Variants[0].Name,
            Seeds = file.Seeds ?? new[] { 0 },
            Sweep = file.Sweep,
            Tune = file.Tune,
            Scales = file.Scales,
            DefaultScale = file.DefaultScale ?? (file.Scales.ContainsKey("small") ? "small" : null),
            Claims = file.Claims,
            ReportFigures = file.ReportFigures,
            Latency = file.Latency,
        };
        foreach (var scale in spec.Scales.Keys.DefaultIfEmpty(null!))
            CheckValidationSets(spec.Expand(scale), binder, spec, scale);   // every run configuration is valid, too
        var points = spec.Expand(null).Select(r => r.SweepPoint).Distinct().ToList();
        // With tune, a claim may also name a point of the other axes alone ("" without them): each variant's best there.
        if (spec.Tune != null) points = points.Concat(points.Select(p => TuneGroups.Fixed(p, spec.Tune.Key))).Distinct().ToList();
        if (spec.Latency is { } latency && !points.Contains(latency.At))
            throw binder.ErrorAt("latency.at", $"'{latency.At}' is not a sweep point; sweep points: " + string.Join(", ", points.Select(p => p.Length == 0 ? "\"\"" : p)));
        for (int i = 0; i < spec.Claims.Count; i++)
            if (!points.Contains(spec.Claims[i].At))
                throw binder.ErrorAt($"claims[{i}].at", $"claim '{spec.Claims[i].Text}': '{spec.Claims[i].At}' is not a sweep point; sweep points: " +
                                                        string.Join(", ", points.Select(p => p.Length == 0 ? "\"\"" : p)));
        return spec;
    }

    /// <summary>
    /// Runs compared with each other (the variants at one sweep point) must be judged on the same validation tokens:
    /// the same data, sequence length, eval_batch_size and final_eval_batches.
    /// </summary>
    static void CheckValidationSets(IReadOnlyList<RunSpec> runs, YamlBinder binder, ExperimentSpec spec, string? scale)
    {
        static string SetOf(RunConfig c) =>
            $"{ConfigWriter.ToYaml(c.Data)}|{c.SequenceLength}|{c.Train.EvalBatchSize}|{c.Train.FinalEvalBatches}";
        foreach (var point in runs.GroupBy(r => r.SweepPoint))
        {
            var first = point.First();
            var other = point.FirstOrDefault(r => SetOf(r.Config) != SetOf(first.Config));
            if (other == null) continue;
            var index = spec.Variants.Select(v => v.Name).ToList().IndexOf(other.Variant);
            throw binder.ErrorAt($"variants[{index}]",
                $"variant {other.Variant}{(point.Key.Length > 0 ? $" at {point.Key}" : "")}{(scale != null ? $" (scale {scale})" : "")} would be validated on other tokens than " +
                $"{first.Variant}: its data, sequence length, eval_batch_size or final_eval_batches differ, so their losses could not be compared");
        }
    }

    /// <summary>The run file named by extends (if any) with the inline base merged over it.</summary>
    static YamlMappingNode BaseTree(string path, ExperimentFile file, YamlBinder binder)
    {
        var tree = new YamlMappingNode();
        if (file.Extends is { } extends)
        {
            var target = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, extends);
            if (!File.Exists(target)) throw binder.ErrorAt("extends", $"'{extends}' not found (looked for {target})");
            tree = ConfigLoader.ReadTree(File.ReadAllText(target), target);
        }
        if (file.Base != null) Merge(tree, file.Base);
        return tree;
    }

    /// <summary>A dotted key of a variant, sweep or scale must name a key of the run configuration the experiment does not own.</summary>
    static void CheckKey(string path, YamlBinder binder, string section, string key, string where)
    {
        // A dotted key written as a mapping key (variants, sweep, scales) is marked at itself; tune.key is a value.
        var at = binder.Marks.TryGetValue($"{section}.{key}", out var mark) ? mark : binder.Marks[section];
        string[] resolved;
        try { resolved = ConfigOverrides.Resolve(typeof(RunConfig), key, $"{path}:{at.Line} ({where})", isOrigin: true); }
        catch (ConfigException e) { throw new ConfigException($"{e.Reason} ({where})", path, (int)at.Line, (int)at.Column, key); }
        if (OwnedKey(resolved) is { } owned) throw new ConfigException($"{owned} ({where})", path, (int)at.Line, (int)at.Column, key);
    }

    /// <summary>
    /// Why a key that the experiment machinery sets itself may not be set by a variant, sweep, scale, tune or --set
    /// (it would be replaced silently, so "different" runs would be one run); null for any other key.
    /// </summary>
    public static string? OwnedKey(IReadOnlyList<string> resolved) =>
        resolved is ["train", "seed"]
            ? "train.seed is set by the experiment for each run from its seeds: list; list the seeds there instead"
            : null;

    static void Merge(YamlMappingNode target, YamlMappingNode source)
    {
        foreach (var (k, v) in source.Children)
        {
            if (v is YamlMappingNode sm && target.Children.TryGetValue(k, out var existing) && existing is YamlMappingNode tm) Merge(tm, sm);
            else target.Children[k] = v;
        }
    }
}
