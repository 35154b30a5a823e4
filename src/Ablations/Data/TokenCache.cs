using Ablations.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ablations.Data;

/// <summary>What a cached corpus holds, stored beside its token files.</summary>
public sealed record CorpusInfo(
    string Source, string Tokenizer, int VocabSize, int Documents, int ValidationDocuments,
    long TrainTokens, long ValidationTokens, long TrainBytes, long ValidationBytes, string Key);

/// <summary>
/// Tokenised corpora on disk, one folder per key (a hash of the documents' text, the split and the tokenizer),
/// so a corpus is tokenised once and then memory-mapped. The folder is written under a temporary name and
/// renamed, so a killed process never leaves half a cache entry. Location: $ABLATIONS_CACHE, else
/// $XDG_CACHE_HOME/ablations, else ~/.cache/ablations.
/// </summary>
public static class TokenCache
{
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
    /// The cached token files for these documents, tokenising and writing them first when absent.
    /// <paramref name="isValidation"/> decides each document's split.
    /// </summary>
    public static (CorpusInfo Info, string Folder) GetOrCreate(
        string source, IReadOnlyList<Document> documents, Func<Document, bool> isValidation, ITokenizer tokenizer)
    {
        var key = Key(documents, isValidation, tokenizer);
        var folder = Path.Combine(Root, "tokens", key);
        var metaPath = Path.Combine(folder, "meta.json");
        if (File.Exists(metaPath))
            return (JsonSerializer.Deserialize<CorpusInfo>(File.ReadAllText(metaPath))!, folder);

        var train = new List<int>();
        var validation = new List<int>();
        long trainBytes = 0, validationBytes = 0;
        int validationDocs = 0;
        foreach (var d in documents)
        {
            var ids = tokenizer.Encode(d.Text);
            var bytes = Encoding.UTF8.GetByteCount(d.Text);
            if (isValidation(d)) { validation.AddRange(ids); validationBytes += bytes; validationDocs++; }
            else { train.AddRange(ids); trainBytes += bytes; }
        }
        var info = new CorpusInfo(source, tokenizer.Name, tokenizer.VocabSize, documents.Count, validationDocs,
            train.Count, validation.Count, trainBytes, validationBytes, key);

        Directory.CreateDirectory(Path.Combine(Root, "tokens"));
        var temp = folder + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        var width = Width(tokenizer.VocabSize);
        MappedTokenStore.Write(Path.Combine(temp, "train.bin"), train, width);
        MappedTokenStore.Write(Path.Combine(temp, "val.bin"), validation, width);
        File.WriteAllText(Path.Combine(temp, "meta.json"), JsonSerializer.Serialize(info, new JsonSerializerOptions { WriteIndented = true }));
        try
        {
            Directory.Move(temp, folder);
        }
        catch (IOException) when (File.Exists(metaPath))
        {
            Directory.Delete(temp, recursive: true);   // another process cached the same corpus first
        }
        return (info, folder);
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

    /// <summary>The cached corpus a fingerprint was recorded for, if it is still there.</summary>
    public static (CorpusInfo Info, string Folder)? Find(string fingerprint)
    {
        var index = Path.Combine(Root, "index", fingerprint);
        if (!File.Exists(index)) return null;
        var folder = Path.Combine(Root, "tokens", File.ReadAllText(index).Trim());
        var meta = Path.Combine(folder, "meta.json");
        return File.Exists(meta) ? (JsonSerializer.Deserialize<CorpusInfo>(File.ReadAllText(meta))!, folder) : null;
    }

    public static void Remember(string fingerprint, CorpusInfo info)
    {
        Directory.CreateDirectory(Path.Combine(Root, "index"));
        AtomicFile.WriteAllText(Path.Combine(Root, "index", fingerprint), info.Key);
    }

    static string Key(IReadOnlyList<Document> documents, Func<Document, bool> isValidation, ITokenizer tokenizer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"v1\0{tokenizer.Name}\0{tokenizer.VocabSize}\0"));
        foreach (var d in documents)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(d.Id));
            hash.AppendData(isValidation(d) ? "\0v\0"u8 : "\0t\0"u8);
            hash.AppendData(Encoding.UTF8.GetBytes(d.Text));
            hash.AppendData("\0"u8);
        }
        return Convert.ToHexString(hash.GetHashAndReset())[..24].ToLowerInvariant();
    }
}
