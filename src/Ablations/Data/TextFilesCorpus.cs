using System.Text;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Ablations.Data;

/// <summary>The user's UTF-8 text files, named directly or by glob patterns; each file is one document.</summary>
public static class TextFilesCorpus
{
    /// <summary>The configuration key every error here concerns.</summary>
    const string Paths = "data.paths";

    public static IReadOnlyList<string> Files(IEnumerable<string> patterns, string baseDirectory)
    {
        var files = new List<string>();
        foreach (var (pattern, index) in patterns.Select((p, i) => (p, i)))
        {
            var key = $"{Paths}[{index}]";   // the list item, so that an error points at the pattern itself
            var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern);
            if (pattern.IndexOfAny(new[] { '*', '?', '[' }) < 0)
            {
                if (Directory.Exists(full)) throw new DataException($"'{pattern}' is a folder; name files or a glob such as '{pattern}/**/*.txt'", key);
                if (!File.Exists(full)) throw new DataException($"file '{pattern}' not found (looked in {baseDirectory})", key);
                files.Add(Path.GetFullPath(full));
                continue;
            }
            var matcher = new Matcher();
            var root = Path.IsPathRooted(pattern) ? Path.GetPathRoot(pattern)! : baseDirectory;
            matcher.AddInclude(Path.IsPathRooted(pattern) ? Path.GetRelativePath(root, pattern) : pattern);
            var matched = matcher.GetResultsInFullPath(root).ToList();
            if (matched.Count == 0) throw new DataException($"the pattern '{pattern}' matches no file (looked in {root})", key);
            files.AddRange(matched);
        }
        return files.Distinct().Order(StringComparer.Ordinal).ToList();
    }

    public static IEnumerable<Document> Documents(IEnumerable<string> patterns, string baseDirectory)
    {
        foreach (var file in Files(patterns, baseDirectory))
        {
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(file));
            }
            catch (DecoderFallbackException)
            {
                throw new DataException($"'{file}' is not valid UTF-8 text", Paths);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DataException($"cannot read '{file}': {e.Message}", Paths);
            }
            yield return new Document(file, text);
        }
    }
}
