using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ablations.Config;

/// <summary>
/// Applies "dotted.key=value" overrides (from --set, or an experiment's variants) to a YAML tree before it is bound.
/// Keys are checked against the record types, so a typo fails at once. A key may leave out intermediate
/// sections when the rest names exactly one key below: model.n_kv_heads means model.attention.n_kv_heads.
/// Setting a family's kind (model.attention.kind=mla) drops the keys the new kind does not take, unless the
/// same batch of overrides sets them, so switching kinds needs no key: null.
/// </summary>
public static class ConfigOverrides
{
    /// <summary>Applies each override and returns the resolved path of each, mapped to the text the user wrote.</summary>
    public static Dictionary<string, string> Apply(YamlMappingNode root, Type rootType, IEnumerable<string> assignments)
    {
        var applied = new Dictionary<string, string>();
        var paths = new List<string[]>();
        foreach (var text in assignments)
        {
            var eq = text.IndexOf('=');
            if (eq <= 0)
                throw new ConfigException($"expected key=value, e.g. model.d_model=256", $"--set {text}");
            var key = text[..eq].Trim();
            var path = Resolve(rootType, key, text);
            Set(root, path, ParseValue(text[(eq + 1)..], text));
            applied[string.Join('.', path)] = $"--set {text}";
            paths.Add(path);
        }
        SwitchKinds(root, rootType, paths);
        return applied;
    }

    /// <summary>
    /// Applies overrides whose values are already YAML nodes (an experiment's variants, sweep points and scales).
    /// <paramref name="origin"/> names each in errors, e.g. "experiments/moe.yaml:12 (variant shared)".
    /// </summary>
    public static Dictionary<string, string> ApplyNodes(YamlMappingNode root, Type rootType, IEnumerable<(string Key, YamlNode Value, string Origin)> assignments)
    {
        var applied = new Dictionary<string, string>();
        var paths = new List<string[]>();
        foreach (var (key, value, origin) in assignments)
        {
            var path = Resolve(rootType, key, origin, isOrigin: true);
            Set(root, path, value);
            applied[string.Join('.', path)] = origin;
            paths.Add(path);
        }
        SwitchKinds(root, rootType, paths);
        return applied;
    }

    /// <summary>
    /// For every assignment of a family's kind in one batch, removes the keys of that section which the new
    /// kind does not take and which the batch itself did not set (those stay, and binding reports them).
    /// </summary>
    static void SwitchKinds(YamlMappingNode root, Type rootType, List<string[]> batch)
    {
        var written = batch.Select(p => string.Join('.', p)).ToHashSet();
        foreach (var path in batch.Where(p => p[^1] == "kind"))
        {
            var type = rootType;
            YamlNode? node = root;
            foreach (var segment in path[..^1])
            {
                var prop = YamlBinder.SettableProperties(type)[segment];
                type = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                node = node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(segment), out var child) ? child : null;
            }
            if (!ConfigFamily.IsFamily(type) || node is not YamlMappingNode section) continue;
            var kindNode = section.Children[new YamlScalarNode("kind")] as YamlScalarNode;
            if (ConfigFamily.ParseKind(type, kindNode?.Value) is not { } kind) continue;   // binding reports the bad kind
            var keys = ConfigFamily.KeysOf(ConfigFamily.RecordFor(type, kind)!, kind);
            var prefix = string.Join('.', path[..^1]) + ".";
            foreach (var key in section.Children.Keys.Select(k => ((YamlScalarNode)k).Value ?? "").ToList())
                if (!keys.ContainsKey(key) && !written.Contains(prefix + key))
                    section.Children.Remove(new YamlScalarNode(key));
        }
    }

    /// <summary>The full key path for <paramref name="key"/>, or a ConfigException naming the allowed keys.</summary>
    public static string[] Resolve(Type rootType, string key, string text, bool isOrigin = false)
    {
        var source = isOrigin ? text : $"--set {text}";
        var segments = key.Split('.');
        var path = new List<string>();
        var type = rootType;
        for (int i = 0; i < segments.Length; i++)
        {
            var props = YamlBinder.SettableProperties(type);
            if (props.TryGetValue(segments[i], out var prop))
            {
                path.Add(segments[i]);
                var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                if (i < segments.Length - 1 && !YamlBinder.IsRecord(t))
                    throw new ConfigException($"'{string.Join('.', path)}' is a value, not a section", source, key: key);
                type = t;
                continue;
            }
            var rest = segments[i..];
            var matches = Leaves(type, "").Where(l => l.EndsWith("." + string.Join('.', rest)) || l == string.Join('.', rest)).ToList();
            if (matches.Count == 1)
            {
                path.AddRange(matches[0].Split('.'));
                return path.ToArray();
            }
            var where = path.Count > 0 ? " in " + string.Join('.', path) : "";
            var hint = matches.Count > 1 ? $"; it is ambiguous, write one of: {string.Join(", ", matches.Select(m => Prefix(path) + m))}" : "";
            throw new ConfigException($"unknown key '{segments[i]}'{where}; allowed: {string.Join(", ", props.Keys)}{hint}", source, key: key);
        }
        return path.ToArray();
    }

    static string Prefix(List<string> path) => path.Count > 0 ? string.Join('.', path) + "." : "";

    static IEnumerable<string> Leaves(Type type, string prefix)
    {
        foreach (var (name, prop) in YamlBinder.SettableProperties(type))
        {
            var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
            var path = prefix.Length == 0 ? name : prefix + "." + name;
            if (YamlBinder.IsRecord(t)) foreach (var leaf in Leaves(t, path)) yield return leaf;
            else yield return path;
        }
    }

    static YamlNode ParseValue(string value, string text)
    {
        if (string.IsNullOrWhiteSpace(value)) return new YamlScalarNode(null);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(value));
            if (stream.Documents.Count == 0) return new YamlScalarNode(null);
            ConfigLoader.CheckKeys(stream.Documents[0].RootNode, $"--set {text}");
            return stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            throw new ConfigException($"cannot read the value '{value}': {e.InnerException?.Message ?? e.Message}", $"--set {text}");
        }
    }

    public static void Set(YamlMappingNode root, string[] path, YamlNode value)
    {
        var node = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            var key = new YamlScalarNode(path[i]);
            if (!node.Children.TryGetValue(key, out var child) || child is not YamlMappingNode map)
            {
                map = new YamlMappingNode();
                node.Children[key] = map;
            }
            node = map;
        }
        node.Children[new YamlScalarNode(path[^1])] = value;
    }
}
