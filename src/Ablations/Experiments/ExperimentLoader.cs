using System.Globalization;
using Ablations.Config;
using YamlDotNet.RepresentationModel;
using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>
/// Reads an experiment file and checks it whole: unknown top-level keys, duplicate variant names, variant or
/// sweep keys that do not exist, a baseline that is not a variant, and every expanded run configuration.
/// </summary>
public static class ExperimentLoader
{
    static readonly string[] TopLevel = { "name", "description", "extends", "base", "baseline", "seeds", "variants", "sweep", "scales", "default_scale", "claims", "report_figures" };
    static readonly string[] Expectations = { "lower", "higher", "similar" };
    static readonly string[] Metrics = { "val_loss", "max_attn_logit", "kv_cache" };

    public static ExperimentSpec Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException("file not found", path);
        var root = ConfigLoader.ReadTree(File.ReadAllText(path), path);
        foreach (var (k, _) in root.Children)
        {
            var key = Scalar(k);
            if (!TopLevel.Contains(key))
                throw Error(path, k, key, $"unknown key '{key}'; allowed: {string.Join(", ", TopLevel)}");
        }

        var baseTree = new YamlMappingNode();
        if (Get(root, "extends") is { } extends)
        {
            var target = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Scalar(extends));
            if (!File.Exists(target)) throw Error(path, extends, "extends", $"'{Scalar(extends)}' not found (looked for {target})");
            baseTree = ConfigLoader.ReadTree(File.ReadAllText(target), target);
        }
        if (Get(root, "base") is { } inline)
        {
            if (inline is not YamlMappingNode map) throw Error(path, inline, "base", "expected a mapping with model:, data:, train:");
            Merge(baseTree, map);
        }

        var variants = new List<VariantSpec>();
        if (Get(root, "variants") is not YamlSequenceNode list || list.Children.Count == 0)
            throw new ConfigException("an experiment needs variants: a list of { name, set }", path, key: "variants");
        foreach (var item in list.Children)
        {
            if (item is not YamlMappingNode v) throw Error(path, item, "variants", "each variant is a mapping { name: ..., set: { dotted.key: value } }");
            foreach (var (k, _) in v.Children)
                if (Scalar(k) is not ("name" or "set" or "description"))
                    throw Error(path, k, $"variants.{Scalar(k)}", "unknown key; a variant has name, description and set");
            var name = Get(v, "name") is { } n ? Scalar(n) : throw Error(path, v, "variants", "a variant needs a name");
            if (name.Length == 0 || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains(' '))
                throw Error(path, v, "variants.name", $"'{name}' cannot name a folder; use letters, digits, '-' and '_'");
            if (variants.Any(x => x.Name == name))
                throw Error(path, Get(v, "name")!, "variants.name", $"duplicate variant name '{name}' (first on line {variants.First(x => x.Name == name).Line})");
            var set = new List<KeyValuePair<string, YamlNode>>();
            if (Get(v, "set") is { } s)
            {
                if (s is not YamlMappingNode setMap) throw Error(path, s, $"variants.{name}.set", "expected a mapping of dotted keys to values");
                foreach (var (k, value) in setMap.Children)
                {
                    CheckKey(path, k, $"variant {name}");
                    set.Add(new(Scalar(k), value));
                }
            }
            variants.Add(new VariantSpec(name, Get(v, "description") is { } d ? Scalar(d) : "", set, (int)v.Start.Line));
        }

        var baseline = Get(root, "baseline") is { } b ? Scalar(b) : variants[0].Name;
        if (variants.All(v => v.Name != baseline))
            throw Error(path, Get(root, "baseline")!, "baseline", $"'{baseline}' is not a variant; variants: {string.Join(", ", variants.Select(v => v.Name))}");

        var seeds = new List<int>();
        if (Get(root, "seeds") is { } seedNode)
        {
            if (seedNode is not YamlSequenceNode seq || seq.Children.Count == 0)
                throw Error(path, seedNode, "seeds", "expected a non-empty list of integers, e.g. [0, 1, 2]");
            foreach (var s in seq.Children)
            {
                if (!int.TryParse(Scalar(s), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
                    throw Error(path, s, "seeds", $"expected an integer, got '{Scalar(s)}'");
                if (seeds.Contains(seed)) throw Error(path, s, "seeds", $"seed {seed} is listed twice");
                seeds.Add(seed);
            }
        }
        else seeds.Add(0);

        var sweep = new List<SweepAxis>();
        if (Get(root, "sweep") is { } sweepNode)
        {
            if (sweepNode is not YamlMappingNode sweepMap) throw Error(path, sweepNode, "sweep", "expected a mapping of dotted keys to lists of values");
            foreach (var (k, values) in sweepMap.Children)
            {
                CheckKey(path, k, "sweep");
                if (values is not YamlSequenceNode vs || vs.Children.Count == 0 || vs.Children.Any(x => x is not YamlScalarNode))
                    throw Error(path, values, $"sweep.{Scalar(k)}", "expected a non-empty list of values, e.g. [1e-3, 3e-3]");
                sweep.Add(new SweepAxis(Scalar(k), vs.Children.ToList(), (int)k.Start.Line));
            }
        }

        var scales = new Dictionary<string, IReadOnlyList<KeyValuePair<string, YamlNode>>>();
        if (Get(root, "scales") is { } scalesNode)
        {
            if (scalesNode is not YamlMappingNode scalesMap) throw Error(path, scalesNode, "scales", "expected a mapping: scale name to { dotted.key: value }");
            foreach (var (k, value) in scalesMap.Children)
            {
                if (value is not YamlMappingNode m) throw Error(path, value, $"scales.{Scalar(k)}", "expected a mapping of dotted keys to values");
                var list2 = new List<KeyValuePair<string, YamlNode>>();
                foreach (var (sk, sv) in m.Children)
                {
                    CheckKey(path, sk, $"scale {Scalar(k)}");
                    list2.Add(new(Scalar(sk), sv));
                }
                scales[Scalar(k)] = list2;
            }
        }
        string? defaultScale = Get(root, "default_scale") is { } ds ? Scalar(ds) : scales.ContainsKey("small") ? "small" : null;
        if (defaultScale != null && !scales.ContainsKey(defaultScale))
            throw new ConfigException($"'{defaultScale}' is not among the scales ({string.Join(", ", scales.Keys)})", path, key: "default_scale");

        var claims = new List<ClaimSpec>();
        if (Get(root, "claims") is { } claimsNode)
        {
            if (claimsNode is not YamlSequenceNode claimList) throw Error(path, claimsNode, "claims", "expected a list of { text, a, b, expect, metric, at }");
            foreach (var item in claimList.Children)
            {
                if (item is not YamlMappingNode c) throw Error(path, item, "claims", "each claim is a mapping { text, a, b, expect, metric, at }");
                foreach (var (k, _) in c.Children)
                    if (Scalar(k) is not ("text" or "a" or "b" or "expect" or "metric" or "at"))
                        throw Error(path, k, $"claims.{Scalar(k)}", "unknown key; a claim has text, a, b, expect, metric and at");
                string Field(string key, string fallback = "") => Get(c, key) is { } n ? Scalar(n) : fallback;
                var claim = new ClaimSpec(Field("text"), Field("a"), Field("b"), Field("expect", "lower"), Field("metric", "val_loss"), Field("at"));
                foreach (var v in new[] { ("a", claim.A), ("b", claim.B) })
                    if (variants.All(x => x.Name != v.Item2))
                        throw Error(path, c, $"claims.{v.Item1}", $"'{v.Item2}' is not a variant; variants: {string.Join(", ", variants.Select(x => x.Name))}");
                if (!Expectations.Contains(claim.Expect)) throw Error(path, c, "claims.expect", $"'{claim.Expect}' is not allowed; allowed: {string.Join(" | ", Expectations)}");
                if (!Metrics.Contains(claim.Metric)) throw Error(path, c, "claims.metric", $"'{claim.Metric}' is not allowed; allowed: {string.Join(" | ", Metrics)}");
                claims.Add(claim);
            }
        }

        var reportFigures = new List<string>();
        if (Get(root, "report_figures") is { } figuresNode)
        {
            if (figuresNode is not YamlSequenceNode figureList) throw Error(path, figuresNode, "report_figures", "expected a list of figure names, e.g. [loss_val, kv_cache]");
            reportFigures.AddRange(figureList.Children.Select(Scalar));
        }

        var spec = new ExperimentSpec
        {
            Claims = claims,
            ReportFigures = reportFigures,
            Name = Get(root, "name") is { } nm ? Scalar(nm) : Path.GetFileNameWithoutExtension(path),
            File = path,
            Description = Get(root, "description") is { } desc ? Scalar(desc) : "",
            Base = baseTree,
            Variants = variants,
            Baseline = baseline,
            Seeds = seeds,
            Sweep = sweep,
            Scales = scales,
            DefaultScale = defaultScale,
        };
        foreach (var scale in scales.Keys.DefaultIfEmpty(null!))
            spec.Expand(scale);   // every variant, sweep point and scale must give a valid run configuration
        var pointLabels = spec.Expand(null).Select(r => r.SweepPoint).ToHashSet();
        foreach (var claim in claims)
            if (!pointLabels.Contains(claim.At))
                throw new ConfigException($"claim '{claim.Text}': at '{claim.At}' is not a sweep point; sweep points: {string.Join(", ", pointLabels.Select(p => p.Length == 0 ? "\"\"" : p))}", path, key: "claims.at");
        return spec;
    }

    static void CheckKey(string path, YamlNode keyNode, string where)
    {
        try { ConfigOverrides.Resolve(typeof(RunConfig), Scalar(keyNode), $"{path}:{keyNode.Start.Line} ({where})", isOrigin: true); }
        catch (ConfigException e) { throw new ConfigException($"{e.Reason} ({where})", path, (int)keyNode.Start.Line, (int)keyNode.Start.Column, Scalar(keyNode)); }
    }

    static void Merge(YamlMappingNode target, YamlMappingNode source)
    {
        foreach (var (k, v) in source.Children)
        {
            if (v is YamlMappingNode sm && target.Children.TryGetValue(k, out var existing) && existing is YamlMappingNode tm) Merge(tm, sm);
            else target.Children[k] = v;
        }
    }

    static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    static string Scalar(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : "";

    static ConfigException Error(string path, YamlNode at, string key, string message) =>
        new(message, path, (int)at.Start.Line, (int)at.Start.Column, key);
}
