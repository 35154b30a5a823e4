using Microsoft.Extensions.FileSystemGlobbing;

namespace Ablations.Data;

/// <summary>The files a corpus's data.paths name, directly or by glob patterns, in a fixed order.</summary>
public static class CorpusFiles
{
    /// <summary>The configuration key every error here concerns.</summary>
    const string Paths = "data.paths";

    /// <param name="extension">The files' usual extension, for the glob a folder's error suggests (".txt").</param>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> patterns, string baseDirectory, string extension)
    {
        var files = new List<string>();
        foreach (var (pattern, index) in patterns.Select((p, i) => (p, i)))
        {
            var key = $"{Paths}[{index}]";   // the list item, so that an error points at the pattern itself
            var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern);
            if (pattern.IndexOfAny(new[] { '*', '?', '[' }) < 0)
            {
                if (Directory.Exists(full)) throw new DataException($"'{pattern}' is a folder; name files or a glob such as '{pattern}/**/*{extension}'", key);
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

    /// <summary>A corpus file opened for reading; one that cannot be is a data error naming it.</summary>
    public static FileStream Open(string file)
    {
        try
        {
            return new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(file, e);
        }
    }

    public static DataException Unreadable(string file, Exception e) => new($"cannot read '{file}': {e.Message}", Paths);
}
