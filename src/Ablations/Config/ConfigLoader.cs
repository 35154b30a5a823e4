using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ablations.Config;

/// <summary>
/// Reads a configuration file into immutable records, once: YAML syntax, unknown keys, types and
/// consistency are all checked here, and every failure names the file, line, key and what is allowed.
/// </summary>
public static class ConfigLoader
{
    /// <param name="requiredSection">A top-level key the file itself must have (a run file's model:), so that an
    /// empty or comment-only file is refused instead of silently meaning every default.</param>
    public static T Load<T>(string path, IEnumerable<string>? overrides = null, string? requiredSection = null) where T : IValidatable, new()
    {
        if (!File.Exists(path))
            throw new ConfigException(Directory.Exists(path) ? "is a folder, expected a YAML file" : "file not found", path);
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read: {e.Message}", path);
        }
        return Parse<T>(text, path, overrides, requiredSection);
    }

    /// <summary>Parses YAML text; <paramref name="source"/> names it in errors.</summary>
    public static T Parse<T>(string yaml, string source, IEnumerable<string>? overrides = null, string? requiredSection = null) where T : IValidatable, new()
    {
        var root = ReadTree(yaml, source);
        var missing = requiredSection != null && !root.Children.ContainsKey(new YamlScalarNode(requiredSection));
        var applied = ConfigOverrides.Apply(root, typeof(T), overrides ?? Array.Empty<string>());
        if (!missing) return Bind<T>(root, source, applied);
        new YamlBinder(source, applied).Bind<T>(root);   // first, so that a misspelt section is named as unknown rather than missing
        throw new ConfigException($"has no '{requiredSection}:' section; without one every {requiredSection} key would silently take its default", source);
    }

    /// <summary>Binds and validates a tree whose overrides are already applied (<paramref name="overrides"/>: path to origin).</summary>
    public static T Bind<T>(YamlMappingNode root, string source, IReadOnlyDictionary<string, string> overrides) where T : IValidatable, new()
    {
        var binder = new YamlBinder(source, overrides);
        var config = binder.Bind<T>(root);
        Check(config, binder);
        return config;
    }

    /// <summary>
    /// An error about <paramref name="key"/> found after loading (the files it names cannot be read, the model does
    /// not fit in memory), placed as a load error would be: at the --set that wrote the key, else at the line of the
    /// key (or of its nearest written section) in the file, else at the file.
    /// </summary>
    public static ConfigException ErrorAt<T>(string path, IEnumerable<string> overrides, string key, string message) where T : new()
    {
        try
        {
            var root = ReadTree(File.ReadAllText(path), path);
            var binder = new YamlBinder(path, ConfigOverrides.Apply(root, typeof(T), overrides));
            binder.Bind<T>(root);
            return binder.ErrorAt(key, message);
        }
        catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException)
        {
            return new ConfigException(message, path, key: key);   // the file changed since it was loaded
        }
    }

    /// <summary>Validates a bound record; every failure is placed where <paramref name="binder"/> saw its key.</summary>
    public static void Check(IValidatable config, YamlBinder binder)
    {
        var errors = config.Validate().ToList();
        if (errors.Count == 0) return;
        var first = binder.ErrorAt(errors[0].Key, errors[0].Message);
        if (errors.Count == 1) throw first;
        var rest = errors.Skip(1).Select(e => binder.ErrorAt(e.Key, e.Message).Message);
        throw new ConfigException(first.Message + Environment.NewLine + string.Join(Environment.NewLine, rest));
    }

    /// <summary>
    /// Walks the parser's events once so that every syntax error gets a location: YamlDotNet reports most as
    /// YamlException with a mark, but some malformed input (an unclosed flow list) escapes as
    /// InvalidOperationException, which is then placed after the last event that did parse.
    /// </summary>
    static void CheckSyntax(string yaml, string source)
    {
        var parser = new Parser(new StringReader(yaml));
        Mark last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
                if (parser.Current != null) last = parser.Current.End;
        }
        catch (InvalidOperationException)
        {
            throw new ConfigException("YAML syntax error: unclosed or malformed list or mapping after this point",
                source, (int)last.Line, (int)last.Column);
        }
        catch (YamlException)
        {
            // reported with its own mark by the full load below
        }
    }

    /// <summary>The YAML document as a mapping tree (an empty file is an empty mapping).</summary>
    public static YamlMappingNode ReadTree(string yaml, string source)
    {
        CheckSyntax(yaml, source);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            var reason = (e.InnerException?.Message ?? e.Message).Trim();
            // YamlDotNet prefixes its own "(Line: .., Col: ..)" location; ours comes first instead.
            var close = reason.IndexOf("): ", StringComparison.Ordinal);
            if (reason.StartsWith("(Line:") && close > 0) reason = reason[(close + 3)..];
            throw new ConfigException($"YAML syntax error: {reason}", source, (int)e.Start.Line, (int)e.Start.Column);
        }
        if (stream.Documents.Count == 0) return new YamlMappingNode();
        if (stream.Documents.Count > 1) throw new ConfigException("expected one YAML document, found several ('---')", source);
        var rootNode = stream.Documents[0].RootNode;
        if (rootNode is YamlScalarNode { Value: null or "" }) return new YamlMappingNode();
        if (rootNode is not YamlMappingNode map)
            throw new ConfigException("expected a mapping of sections at the top (model:, ...)", source, (int)rootNode.Start.Line, (int)rootNode.Start.Column);
        CheckKeys(map, source);
        return map;
    }

    /// <summary>
    /// Every mapping key of <paramref name="node"/>, at any depth, must be a plain word: YAML also allows a list or
    /// a mapping as a key ({[a, b]: 1}, "? {a: 1}"), which names no setting. Refused where it is written.
    /// </summary>
    public static void CheckKeys(YamlNode node, string source)
    {
        switch (node)
        {
            case YamlMappingNode m:
                foreach (var (k, v) in m.Children)
                {
                    if (k is not YamlScalarNode)
                        throw new ConfigException($"a key must be a name, not a {(k is YamlSequenceNode ? "list" : "mapping")}", source, (int)k.Start.Line, (int)k.Start.Column);
                    CheckKeys(v, source);
                }
                break;
            case YamlSequenceNode q:
                foreach (var item in q.Children) CheckKeys(item, source);
                break;
        }
    }
}
