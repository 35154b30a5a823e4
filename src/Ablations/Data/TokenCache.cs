using Ablations.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ablations.Data;

/// <summary>
/// What a cached corpus holds, stored beside its token files, with the SHA-256 of each token file: how its
/// validation split was made, how its text became documents (text files) and what reading it noted (skipped lines).
/// </summary>
public sealed record CorpusInfo(
    string Source, string Tokenizer, int VocabSize, int Documents, int ValidationDocuments,
    long TrainTokens, long ValidationTokens, long TrainBytes, long ValidationBytes, string Key,
    string? TrainSha256 = null, string? ValidationSha256 = null, HeldOut? Split = null, TextCut? Cut = null, string? Notes = null);

/// <summary>
/// Tokenised corpora on disk, one folder per key (a hash of the files' content, the field, the split and the tokenizer),
/// so a corpus is tokenised once and then memory-mapped. The folder is written under a temporary name and
/// renamed, so a killed or interrupted process never leaves half a cache entry (an interrupted one removes its
/// temporary folder). Every entry is verified against its metadata (token counts, file lengths, SHA-256 of each
/// file) before it is used, once per process; an entry that does not match is removed and rebuilt, saying so.
/// Entries are found by the content of the files, hashed on every use, never by their sizes and modification
/// times: a file rewritten with the same size and time would otherwise be served the tokens of its old content.
/// Location: $ABLATIONS_CACHE, else $XDG_CACHE_HOME/ablations, else ~/.cache/ablations; one that is a file or cannot
/// be written is a data error naming it and the variable that chose it.
/// </summary>
public static class TokenCache
{
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Verified = new();

    public static string Root => Located().Root;

    /// <summary>The cache folder and what chose it, for a message.</summary>
    static (string Root, string Source) Located()
    {
        var explicitRoot = Environment.GetEnvironmentVariable("ABLATIONS_CACHE");
        if (!string.IsNullOrEmpty(explicitRoot)) return (explicitRoot, "$ABLATIONS_CACHE");
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg)) return (Path.Combine(xdg, "ablations"), "$XDG_CACHE_HOME/ablations");
        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return (Path.Combine(home, "ablations"), "the default; set $ABLATIONS_CACHE to choose another");
    }

    /// <summary>
    /// A folder of the cache (<paramref name="name"/> below its root), created when absent. A root that is a file,
    /// or a folder that cannot be written, is one line naming it and the variable that chose it.
    /// </summary>
    static string Folder(string name)
    {
        var (root, source) = Located();
        if (File.Exists(root))
            throw new DataException(
                $"the token cache '{root}' ({source}) is a file, not a folder; name a folder the cache may use");
        try
        {
            return Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(e);
        }
    }

    static DataException Unwritable(Exception e)
    {
        var (root, source) = Located();
        return new DataException($"the token cache '{root}' ({source}) cannot be written: {e.Message}");
    }

    /// <summary>
    /// The cached token files of the corpus <paramref name="key"/> names; when absent, <paramref name="write"/>
    /// writes train.bin and val.bin into the temporary folder it is given and says what they hold, and the
    /// folder becomes the entry. A write that fails leaves nothing behind.
    /// </summary>
    /// <remarks>
    /// An exception from <paramref name="write"/> (bad data, cancellation) removes the temporary folder, so nothing
    /// half-written is ever found; a failure to write the cache itself is a data error naming the cache folder.
    /// </remarks>
    /// <param name="cancel">Checked while the entry's files are hashed (gigabytes take seconds).</param>
    public static (CorpusInfo Info, string Folder) GetOrCreate(string key, Func<string, CorpusInfo> write,
        Action<string>? warn = null, CancellationToken cancel = default)
    {
        var folder = Path.Combine(Root, "tokens", key);
        var metaPath = Path.Combine(folder, "meta.json");
        if (Directory.Exists(folder) && Open(folder, warn, cancel) is { } cached) return (cached, folder);

        var temp = Path.Combine(Folder("tokens"), key + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        CorpusInfo info;
        try
        {
            Directory.CreateDirectory(temp);
            info = write(temp) with { Key = key };
            info = info with
            {
                TrainSha256 = Sha256(Path.Combine(temp, "train.bin"), cancel),
                ValidationSha256 = Sha256(Path.Combine(temp, "val.bin"), cancel),
            };
            File.WriteAllText(Path.Combine(temp, "meta.json"), JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
            Directory.Move(temp, folder);
        }
        catch (IOException) when (File.Exists(metaPath))
        {
            Remove(temp);   // another process cached the same corpus first
            info = Open(folder, warn, cancel)
                   ?? throw new DataException($"the token cache {folder}, written by another process, does not verify");
        }
        catch (Exception e)
        {
            Remove(temp);
            if (e is IOException or UnauthorizedAccessException) throw Unwritable(e);
            throw;
        }
        Verified[Stamp(folder)] = true;
        return (info, folder);
    }

    static void Remove(string temp)
    {
        try
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next run to overwrite: its name is never a key, so it is never trusted.
        }
    }

    /// <summary>
    /// The metadata of a cache entry when its files match it; otherwise null, after removing the entry and saying
    /// why through <paramref name="warn"/> (the caller rebuilds it).
    /// </summary>
    static CorpusInfo? Open(string folder, Action<string>? warn, CancellationToken cancel)
    {
        var metaPath = Path.Combine(folder, "meta.json");
        CorpusInfo? info;
        try { info = File.Exists(metaPath) ? JsonSerializer.Deserialize<CorpusInfo>(File.ReadAllText(metaPath)) : null; }
        catch (JsonException) { info = null; }
        var stamp = Stamp(folder);
        var problem = info is null ? $"{metaPath} is missing or unreadable"
                      : Verified.ContainsKey(stamp) ? null : Problem(folder, info, cancel);
        if (problem is null)
        {
            Verified[stamp] = true;
            return info;
        }
        warn?.Invoke($"the token cache {folder} does not match its metadata ({problem}); rebuilding it");
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(e);
        }
        return null;
    }

    /// <summary>A cache entry as it is on disk now (its files' lengths and write times): hashed once per process while unchanged.</summary>
    static string Stamp(string folder) => folder + string.Concat(new[] { "meta.json", "train.bin", "val.bin" }.Select(f =>
    {
        var info = new FileInfo(Path.Combine(folder, f));
        return info.Exists ? $"|{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "|-";
    }));

    static string? Problem(string folder, CorpusInfo info, CancellationToken cancel)
    {
        var width = Width(info.VocabSize);
        foreach (var (file, tokens, sha) in new[] { ("train.bin", info.TrainTokens, info.TrainSha256), ("val.bin", info.ValidationTokens, info.ValidationSha256) })
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) return $"{file} is missing";
            var length = new FileInfo(path).Length;
            if (length != tokens * width) return $"{file} has {length} bytes, the metadata says {tokens:N0} tokens of {width} bytes";
            if (sha is null) return "it was written without content hashes";
            if (Sha256(path, cancel) != sha) return $"{file} differs from what was written (SHA-256)";
        }
        return null;
    }

    static string Sha256(string path, CancellationToken cancel)
    {
        using var stream = File.OpenRead(path);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            cancel.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    public static int Width(int vocabSize) => vocabSize <= 65536 ? 2 : 4;

    /// <summary>
    /// The key of a corpus's cache entry: a hash of the settings that shape its tokens (source, field, tokenizer,
    /// split) and of each file's path and bytes, read in full (not parsed), so that any change of content makes a
    /// new entry. (The path is part of it as documents' ids and what reading them notes, such as skipped lines, name it.)
    /// </summary>
    public static string ContentKey(IEnumerable<string> files, string settings, ProgressMeter? meter = null,
        CancellationToken cancel = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{Format}\0{settings}\0"));
        var buffer = new byte[1 << 20];
        foreach (var path in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFullPath(path)}\0{new FileInfo(path).Length}\0"));
            using var stream = CorpusFiles.Open(path);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                cancel.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                if (meter == null) continue;
                meter.Bytes += read;
                meter.Tick();
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..24].ToLowerInvariant();
    }

    /// <summary>
    /// The version of how files become tokens (rendering, cutting into documents, the split), part of every key:
    /// raise it when a change of that code would give other tokens from the same files. v4: a text file or paragraph
    /// past 64 Mi characters is cut, and a JSON line past 64 MiB is a bad line.
    /// </summary>
    const string Format = "corpus-v4";

    /// <summary>What an earlier check of token files with this content key found, if one was recorded.</summary>
    public static CorpusInfo? FindChecked(string key)
    {
        var path = Path.Combine(Root, "checked", key + ".json");
        try { return File.Exists(path) ? JsonSerializer.Deserialize<CorpusInfo>(File.ReadAllText(path)) : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>Records what checking token files found, so that unchanged files are not read again.</summary>
    public static void RememberChecked(string key, CorpusInfo info)
    {
        var folder = Folder("checked");
        try
        {
            AtomicFile.WriteAllText(Path.Combine(folder, key + ".json"), JsonSerializer.Serialize(info));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unwritable(e);
        }
    }
}
