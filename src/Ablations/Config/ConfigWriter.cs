using System.Collections;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Ablations.Config;

/// <summary>
/// Writes configuration records back to YAML with the same snake_case keys the binder reads, so a run folder's
/// config.yaml is the fully resolved configuration and loads again unchanged. Absent (null) values are left out.
/// </summary>
public static class ConfigWriter
{
    public static string ToYaml(object record)
    {
        var stream = new YamlStream(new YamlDocument(ToNode(record)));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n") ? text[..^4] : text.Replace("\n...\n", "\n");
    }

    static YamlNode ToNode(object value)
    {
        var type = value.GetType();
        if (YamlBinder.IsRecord(type))
        {
            var map = new YamlMappingNode();
            foreach (var (key, prop) in YamlBinder.SettableProperties(type))
            {
                var v = prop.GetValue(value);
                if (v != null) map.Add(key, ToNode(v));
            }
            return map;
        }
        if (value is string s) return new YamlScalarNode(s) { Style = NeedsQuotes(s) ? YamlDotNet.Core.ScalarStyle.DoubleQuoted : YamlDotNet.Core.ScalarStyle.Any };
        if (value is IEnumerable list)
        {
            var seq = new YamlSequenceNode();
            foreach (var item in list) seq.Add(ToNode(item!));
            return seq;
        }
        return new YamlScalarNode(value switch
        {
            bool b => b ? "true" : "false",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            Enum e => SnakeCase.Of(e.ToString()),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        });
    }

    /// <summary>
    /// Whether a string must be quoted so that every YAML reader (this binder, PyYAML's 1.1 rules, a 1.2 core
    /// schema) reads it back as the same string: only a plain word of letters, digits and '_', '-', '.', '/'
    /// that starts with a letter or '/' and is none of the words YAML gives another type (null, true, off, y,
    /// .nan...) is written bare; everything else ('~', '1e3', '0x10', '*a', '&a', '!t', '%', '@', ': ', '#',
    /// spaces at the ends, control characters) is double-quoted, with YamlDotNet's escapes.
    /// </summary>
    internal static bool NeedsQuotes(string s) =>
        !PlainWord.IsMatch(s) || Reserved.Contains(s);

    static readonly System.Text.RegularExpressions.Regex PlainWord =
        new(@"^[A-Za-z/][A-Za-z0-9_./-]*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Words YAML 1.1 or 1.2 resolves to null, a boolean or a float.</summary>
    static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf", "infinity",
    };
}
