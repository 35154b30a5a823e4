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
/// renamed, so a killed process never leaves half a cache entry. Every entry is verified against its metadata
/// (token counts, file lengths, SHA-256 of each file) before it is used, once per process; an entry that does not
/// match is removed and rebuilt, saying so. Location: $ABLATIONS_CACHE, else $XDG_CACHE_HOME/ablations, else
/// ~/.cache/ablations.
/// </summary>
public static class TokenCache
{
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Verified = new();

    public static string Root
    {
        get
        {
            var explicitRoot = Environment.GetEnvironmentVariable("ABLATIONS_CACHE");
            if (!string.IsNullOrEmpty(explicitRoot)) return explicitRoot;
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.Combine(baseDir, "ablations");
        }
    }

    /// <summary>
    /// The cached token files of the corpus <paramref name="key"/> names; when absent, <paramref name="write"/>
    /// writes train.bin and val.bin into the temporary folder it is given and says what they hold, and the
    /// folder becomes the entry. A write that fails leaves nothing behind.
    /// </summary>
    public static (CorpusInfo Info, string Folder) GetOrCreate(string key, Func<string, CorpusInfo> write, Action<string>? warn = null)
    {
        var folder = Path.Combine(Root, "tokens", key);
        var metaPath = Path.Combine(folder, "meta.json");
        if (Directory.Exists(folder) && Open(folder, warn) is { } cached) return (cached, folder);

        Directory.CreateDirectory(Path.Combine(Root, "tokens"));
        var temp = folder + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        CorpusInfo info;
        try
        {
            info = write(temp) with { Key = key };
            info = info with { TrainSha256 = Sha256(Path.Combine(temp, "train.bin")), ValidationSha256 = Sha256(Path.Combine(temp, "val.bin")) };
            File.WriteAllText(Path.Combine(temp, "meta.json"), JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
        }
        catch
        {
            Directory.Delete(temp, recursive: true);
            throw;
        }
        try
        {
            Directory.Move(temp, folder);
        }
        catch (IOException) when (File.Exists(metaPath))
        {
            Directory.Delete(temp, recursive: true);   // another process cached the same corpus first
        }
        Verified[Stamp(folder)] = true;
        return (info, folder);
    }

    /// <summary>
    /// The metadata of a cache entry when its files match it; otherwise null, after removing the entry and saying
    /// why through <paramref name="warn"/> (the caller rebuilds it).
    /// </summary>
    static CorpusInfo? Open(string folder, Action<string>? warn)
    {
        var metaPath = Path.Combine(folder, "meta.json");
        CorpusInfo? info;
        try { info = File.Exists(metaPath) ? JsonSerializer.Deserialize<CorpusInfo>(File.ReadAllText(metaPath)) : null; }
        catch (JsonException) { info = null; }
        var stamp = Stamp(folder);
        var problem = info is null ? $"{metaPath} is missing or unreadable" : Verified.ContainsKey(stamp) ? null : Problem(folder, info);
        if (problem is null)
        {
            Verified[stamp] = true;
            return info;
        }
        warn?.Invoke($"the token cache {folder} does not match its metadata ({problem}); rebuilding it");
        Directory.Delete(folder, recursive: true);
        return null;
    }

    /// <summary>A cache entry as it is on disk now (its files' lengths and write times): hashed once per process while unchanged.</summary>
    static string Stamp(string folder) => folder + string.Concat(new[] { "meta.json", "train.bin", "val.bin" }.Select(f =>
    {
        var info = new FileInfo(Path.Combine(folder, f));
        return info.Exists ? $"|{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "|-";
    }));

    static string? Problem(string folder, CorpusInfo info)
    {
        var width = Width(info.VocabSize);
        foreach (var (file, tokens, sha) in new[] { ("train.bin", info.TrainTokens, info.TrainSha256), ("val.bin", info.ValidationTokens, info.ValidationSha256) })
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) return $"{file} is missing";
            var length = new FileInfo(path).Length;
            if (length != tokens * width) return $"{file} has {length} bytes, the metadata says {tokens:N0} tokens of {width} bytes";
            if (sha is null) return "it was written without content hashes";
            if (Sha256(path) != sha) return $"{file} differs from what was written (SHA-256)";
        }
        return null;
    }

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    public static int Width(int vocabSize) => vocabSize <= 65536 ? 2 : 4;

    /// <summary>
    /// A cheap fingerprint of a corpus's source files (paths, sizes, modification times) and its settings.
    /// It maps to the content key once the corpus has been cached, so later runs skip rendering and hashing
    /// the text; any change to a file changes the fingerprint and the content is hashed again.
    /// </summary>
    public static string Fingerprint(IEnumerable<string> files, string settings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes("v1\0" + settings + "\0"));
        foreach (var f in files)
        {
            var info = new FileInfo(f);
            hash.AppendData(Encoding.UTF8.GetBytes($"{info.FullName}\0{info.Length}\0{info.LastWriteTimeUtc.Ticks}\0"));
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..24].ToLowerInvariant();
    }

    /// <summary>The cached corpus a fingerprint was recorded for, if it is still there and verifies.</summary>
    public static (CorpusInfo Info, string Folder)? Find(string fingerprint, Action<string>? warn = null)
    {
        var index = Path.Combine(Root, "index", fingerprint);
        if (!File.Exists(index)) return null;
        var folder = Path.Combine(Root, "tokens", File.ReadAllText(index).Trim());
        return Directory.Exists(folder) && Open(folder, warn) is { } info ? (info, folder) : null;
    }

    public static void Remember(string fingerprint, CorpusInfo info)
    {
        Directory.CreateDirectory(Path.Combine(Root, "index"));
        AtomicFile.WriteAllText(Path.Combine(Root, "index", fingerprint), info.Key);
    }

    /// <summary>
    /// The key of a corpus's cache entry: a hash of the settings that shape its tokens (source, field, tokenizer,
    /// split) and of each file's path and bytes, read in full (not parsed), so that any change of content makes a
    /// new entry. (The path is part of it as documents' ids and what reading them notes, such as skipped lines, name it.)
    /// </summary>
    public static string ContentKey(IEnumerable<string> files, string settings, ProgressMeter? meter = null)
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
    /// raise it when a change of that code would give other tokens from the same files.
    /// </summary>
    const string Format = "corpus-v3";

    /// <summary>What an earlier check of token files with this fingerprint found, if one was recorded.</summary>
    public static CorpusInfo? FindChecked(string fingerprint)
    {
        var path = Path.Combine(Root, "checked", fingerprint + ".json");
        try { return File.Exists(path) ? JsonSerializer.Deserialize<CorpusInfo>(File.ReadAllText(path)) : null; }
        catch (JsonException) { return null; }
    }

    /// <summary>Records what checking token files found, so that unchanged files are not read again.</summary>
    public static void RememberChecked(string fingerprint, CorpusInfo info)
    {
        Directory.CreateDirectory(Path.Combine(Root, "checked"));
        AtomicFile.WriteAllText(Path.Combine(Root, "checked", fingerprint + ".json"), JsonSerializer.Serialize(info));
    }
}
