using System.Collections.Immutable;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;

namespace Ablations.Data;

/// <summary>
/// A folder as a glob pattern walks it (Microsoft.Extensions.FileSystemGlobbing's view), with links followed but
/// never in a loop: a subfolder that is the same folder as the one being listed or one above it (a link back up)
/// is not entered, so <c>**</c> through <c>loop -&gt; ..</c> lists each file once instead of once per level until
/// the path is too long. A folder reached by several paths that do not loop (two links to it) is listed by each,
/// since the pattern may name its files by one path and not the other; the corpus keeps each file once
/// (<see cref="CorpusFiles"/>), and a folder reached by more than <see cref="MostPaths"/> paths (links that double
/// the paths at each level) stops the walk. Entries are listed in ordinal order, so the walk never depends on the
/// order the file system returns them in.
/// </summary>
sealed class GlobFolder : DirectoryInfoBase
{
    /// <summary>How many paths may reach one folder before the walk is refused as a maze of links.</summary>
    public const int MostPaths = 100;

    readonly DirectoryInfo _folder;
    readonly string _identity;
    readonly ImmutableHashSet<string> _above;   // identities of this folder and those the walk came through
    readonly Dictionary<string, int> _entered;  // shared by the whole walk: how often each folder was listed
    readonly string _name;

    GlobFolder(DirectoryInfo folder, string identity, ImmutableHashSet<string> above, Dictionary<string, int> entered,
        string? name = null)
    {
        (_folder, _identity, _entered, _name) = (folder, identity, entered, name ?? folder.Name);
        _above = above.Add(identity);
    }

    /// <summary>The folder a walk starts from.</summary>
    public static GlobFolder Root(string path) =>
        new(new DirectoryInfo(path), Identity(path), ImmutableHashSet<string>.Empty, new Dictionary<string, int>());

    public override IEnumerable<FileSystemInfoBase> EnumerateFileSystemInfos()
    {
        if (!_folder.Exists) return Array.Empty<FileSystemInfoBase>();
        var times = _entered[_identity] = _entered.GetValueOrDefault(_identity) + 1;
        if (times > MostPaths)
            throw new DataException(
                $"the folder '{_folder.FullName}' is reached by more than {MostPaths} paths through links; " +
                "name its files by one path, or remove the links that lead to it", "data.paths");
        FileSystemInfo[] entries;
        try
        {
            entries = _folder.GetFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CorpusFiles.Unreadable(_folder.FullName, e);
        }
        var listed = new List<FileSystemInfoBase>(entries.Length);
        foreach (var entry in entries)
        {
            if (entry is not DirectoryInfo folder) listed.Add(new FileInfoWrapper((FileInfo)entry));
            else if (Identity(folder.FullName) is var id && !_above.Contains(id))
                listed.Add(new GlobFolder(folder, id, _above, _entered));
        }
        return listed;
    }

    public override DirectoryInfoBase? GetDirectory(string path)
    {
        var folder = new DirectoryInfo(Path.Combine(_folder.FullName, path));
        if (!folder.Exists) return null;
        // A pattern's own "..", or a literal segment, is finite: only the walk below a wildcard can loop.
        var id = Identity(folder.FullName);
        return path == ".." ? new GlobFolder(folder, id, ImmutableHashSet<string>.Empty, _entered, "..")
                            : new GlobFolder(folder, id, _above.Remove(id), _entered);
    }

    public override FileInfoBase GetFile(string path) =>
        new FileInfoWrapper(new FileInfo(Path.Combine(_folder.FullName, path)));

    public override string Name => _name;
    public override string FullName => _folder.FullName;
    public override DirectoryInfoBase? ParentDirectory =>
        _folder.Parent is { } parent
            ? new GlobFolder(parent, Identity(parent.FullName), ImmutableHashSet<string>.Empty, _entered)
            : null;

    static string Identity(string path)
    {
        try
        {
            return FileNode.Of(path)?.Identity ?? Path.GetFullPath(path);
        }
        catch (IOException e)
        {
            throw CorpusFiles.Unreadable(path, e);
        }
    }
}
