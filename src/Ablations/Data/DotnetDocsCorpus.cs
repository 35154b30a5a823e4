using System.Runtime.InteropServices;
using System.Text;
using System.Xml;

namespace Ablations.Data;

/// <summary>
/// The built-in corpus: the English API documentation shipped as XML beside the .NET SDK's reference
/// assemblies (packs/Microsoft.NETCore.App.Ref/VERSION/ref/TFM/*.xml), rendered to plain text. Each documented
/// member is one document. About 12 MB of text; nothing is downloaded.
/// </summary>
public static class DotnetDocsCorpus
{
    /// <summary>The configuration key that chose this corpus, which every error here concerns.</summary>
    const string Source = "data.source";

    /// <summary>The XML files of the newest reference pack of the running SDK, in a fixed order.</summary>
    public static IReadOnlyList<string> Files()
    {
        var root = DotnetRoot();
        var packs = Path.Combine(root ?? "", "packs", "Microsoft.NETCore.App.Ref");
        if (root == null || !Directory.Exists(packs))
            throw new DataException($"the dotnet-docs corpus needs the .NET SDK's reference packs, not found under '{packs}'; set DOTNET_ROOT or use data.source: text", Source);
        var newest = Directory.GetDirectories(packs)
            .Select(d => (Dir: d, Version: Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version(0, 0)))
            .OrderByDescending(x => x.Version).Select(x => x.Dir).FirstOrDefault()
            ?? throw new DataException($"no reference pack version under '{packs}'", Source);
        var files = Directory.GetDirectories(Path.Combine(newest, "ref"))
            .OrderByDescending(d => d, StringComparer.Ordinal).Take(1)
            .SelectMany(d => Directory.GetFiles(d, "*.xml"))
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DataException($"no XML documentation files in '{newest}/ref'", Source);
        return files;
    }

    /// <summary>Every documented member of every file, rendered to text; <paramref name="meter"/> counts the files' bytes read.</summary>
    public static IEnumerable<Document> Documents(ProgressMeter? meter = null)
    {
        foreach (var file in Files())
        {
            foreach (var d in Read(file))
                yield return d;
            if (meter != null) meter.Bytes += new FileInfo(file).Length;
        }
    }

    public static IEnumerable<Document> Read(string file)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true };
        using var reader = XmlReader.Create(file, settings);
        while (reader.ReadToFollowing("member"))
        {
            var name = reader.GetAttribute("name") ?? "";
            var text = Render(reader.ReadSubtree());
            if (text.Length > 0) yield return new Document(name, DisplayName(name) + "\n" + text + "\n");
        }
    }

    /// <summary>"M:System.String.Split(System.Char[])" to "System.String.Split".</summary>
    static string DisplayName(string id)
    {
        var s = id.Length > 2 && id[1] == ':' ? id[2..] : id;
        var paren = s.IndexOf('(');
        return paren > 0 ? s[..paren] : s;
    }

    /// <summary>Text content with references (see, paramref, typeparamref) as their short names and one line per block.</summary>
    static string Render(XmlReader member)
    {
        var sb = new StringBuilder();
        while (member.Read())
        {
            switch (member.NodeType)
            {
                case XmlNodeType.Element:
                    switch (member.Name)
                    {
                        case "see" or "seealso":
                            var target = member.GetAttribute("cref") ?? member.GetAttribute("langword") ?? member.GetAttribute("href");
                            if (target != null && member.IsEmptyElement) sb.Append(ShortName(target));
                            break;
                        case "paramref" or "typeparamref":
                            sb.Append(member.GetAttribute("name"));
                            break;
                        case "param" or "typeparam":
                            NewLine(sb);
                            sb.Append(member.GetAttribute("name")).Append(": ");
                            break;
                        case "summary" or "remarks" or "returns" or "value" or "para" or "example" or "exception" or "item":
                            NewLine(sb);
                            break;
                    }
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    AppendCollapsed(sb, member.Value);
                    break;
            }
        }
        return sb.ToString().Trim();
    }

    static string ShortName(string cref)
    {
        var s = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        var paren = s.IndexOf('(');
        if (paren > 0) s = s[..paren];
        var dot = s.LastIndexOf('.');
        return dot >= 0 ? s[(dot + 1)..] : s;
    }

    static void NewLine(StringBuilder sb)
    {
        while (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        if (sb.Length > 0 && sb[^1] != '\n') sb.Append('\n');
    }

    static void AppendCollapsed(StringBuilder sb, string text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (sb.Length > 0 && sb[^1] != ' ' && sb[^1] != '\n') sb.Append(' ');
            }
            else sb.Append(c);
        }
    }

    static string? DotnetRoot()
    {
        var env = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "packs"))) return env;
        // The running runtime lives in ROOT/shared/Microsoft.NETCore.App/VERSION/
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var candidate = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        return Directory.Exists(Path.Combine(candidate, "packs")) ? candidate : null;
    }
}
