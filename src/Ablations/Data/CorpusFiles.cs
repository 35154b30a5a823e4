using Microsoft.Extensions.FileSystemGlobbing;

namespace Ablations.Data;

/// <summary>
/// The files a corpus's data.paths name, directly or by glob patterns, in a fixed order: regular files only (a named
/// pipe, socket or device is refused before it is opened, as reading one can block forever), each once by what it
/// is rather than by the path that named it (two links to one file, or a glob through a link back up, are one
/// document; the path kept is the first in ordinal order, so document ids do not depend on the walk).
/// </summary>
public static class CorpusFiles
{
    /// <summary>The configuration key every error here concerns.</summary>
    const string Paths = "data.paths";

    /// <param name="extension">The files' usual extension, for the glob a folder's error suggests (".txt").</param>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> patterns, string baseDirectory, string extension)
    {
        var files = new List<(string Path, string Identity)>();
        foreach (var (pattern, index) in patterns.Select((p, i) => (p, i)))
        {
            var key = $"{Paths}[{index}]";   // the list item, so that an error points at the pattern itself
            var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern);
            if (pattern.IndexOfAny(new[] { '*', '?', '[' }) < 0)
            {
                var node = Examine(full, key);
                if (node?.Kind == FileKind.Directory)
                    throw new DataException(
                        $"'{pattern}' is a folder; name files or a glob such as '{pattern}/**/*{extension}'", key);
                if (node == null)
                    throw new DataException($"file '{pattern}' not found (looked in {baseDirectory})", key);
                files.Add((Path.GetFullPath(full), Regular(full, node.Value, key)));
                continue;
            }
            var matcher = new Matcher();
            var root = Path.IsPathRooted(pattern) ? Path.GetPathRoot(pattern)! : baseDirectory;
            matcher.AddInclude(Path.IsPathRooted(pattern) ? Path.GetRelativePath(root, pattern) : pattern);
            var matched = matcher.Execute(GlobFolder.Root(root)).Files
                .Select(f => Path.GetFullPath(Path.Combine(root, f.Path))).ToList();
            if (matched.Count == 0)
                throw new DataException($"the pattern '{pattern}' matches no file (looked in {root})", key);
            foreach (var file in matched)
            {
                var node = Examine(file, key) ?? throw new DataException($"'{file}' is a link that leads nowhere", key);
                files.Add((file, Regular(file, node, key)));
            }
        }
        return files.Distinct().OrderBy(f => f.Path, StringComparer.Ordinal)
            .DistinctBy(f => f.Identity).Select(f => f.Path).ToList();
    }

    /// <summary>
    /// The identity of a file named directly (a token file): it must be a regular file, checked before it is opened.
    /// </summary>
    public static string RegularFile(string path, string key) =>
        Regular(path, Examine(path, key) ?? throw new DataException($"file '{path}' not found", key), key);

    static FileNode? Examine(string path, string key)
    {
        try
        {
            return FileNode.Of(path);
        }
        catch (IOException e)
        {
            throw new DataException(e.Message, key);
        }
    }

    /// <summary>The identity of a regular file; anything else is refused naming it, before it is opened.</summary>
    static string Regular(string path, FileNode node, string key) => node.Kind == FileKind.Regular ? node.Identity
        : throw new DataException(
            $"'{path}' is {FileNode.Describe(node.Kind)}, not a regular file; a corpus reads regular files only", key);

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
