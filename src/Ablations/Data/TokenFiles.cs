using Ablations.Config;

namespace Ablations.Data;

/// <summary>
/// Token files prepared elsewhere, as nanoGPT's prepare scripts write them: train.bin and val.bin, ids of
/// uint16 (or uint32) little-endian and nothing else. They are read once to check that they hold whole ids, all
/// below the vocabulary size, then memory-mapped where they lie, never copied.
/// </summary>
public static class TokenFiles
{
    const string Paths = "data.paths";

    /// <summary>The train and validation files data.paths names: a folder holding train.bin and val.bin, or the two files in that order.</summary>
    public static (string Train, string Validation) Locate(IReadOnlyList<string> paths, string baseDirectory)
    {
        var full = paths.Select(p => Path.GetFullPath(Path.IsPathRooted(p) ? p : Path.Combine(baseDirectory, p))).ToList();
        if (paths.Count == 1)
        {
            if (!Directory.Exists(full[0]))
                throw new DataException(File.Exists(full[0])
                    ? $"'{paths[0]}' is a file; name the folder holding train.bin and val.bin, or both files: paths: [train.bin, val.bin]"
                    : $"folder '{paths[0]}' not found (looked in {baseDirectory})", $"{Paths}[0]");
            var found = (Train: Path.Combine(full[0], CorpusWriter.TrainFile), Validation: Path.Combine(full[0], CorpusWriter.ValidationFile));
            foreach (var file in new[] { found.Train, found.Validation })
                if (!File.Exists(file)) throw new DataException($"folder '{paths[0]}' has no {Path.GetFileName(file)} (nanoGPT's layout: train.bin and val.bin)", $"{Paths}[0]");
            return Distinct(found, $"{Paths}[0]", $"{Paths}[0]");
        }
        if (paths.Count != 2)
            throw new DataException($"source: tokens takes a folder holding train.bin and val.bin, or the two files [train, validation]; got {paths.Count} paths", Paths);
        for (int i = 0; i < 2; i++)
            if (!File.Exists(full[i])) throw new DataException($"file '{paths[i]}' not found (looked in {baseDirectory})", $"{Paths}[{i}]");
        return Distinct((full[0], full[1]), $"{Paths}[0]", $"{Paths}[1]");
    }

    /// <summary>
    /// The two files, when both are regular files (a named pipe would block the check forever) and not one file by
    /// two names (a link), which would validate on the training data.
    /// </summary>
    static (string Train, string Validation) Distinct((string Train, string Validation) files, string trainKey,
        string validationKey)
    {
        if (CorpusFiles.RegularFile(files.Train, trainKey) == CorpusFiles.RegularFile(files.Validation, validationKey))
            throw new DataException(
                $"'{files.Train}' and '{files.Validation}' are the same file; validation would be the training data",
                validationKey);
        return files;
    }

    /// <summary>
    /// Reads a token file through once: it must hold whole ids of the dtype's width, all below
    /// <paramref name="vocab"/>. Returns its tokens and, when a tokenizer is given, the bytes of text they stand for.
    /// </summary>
    public static (long Tokens, long Bytes) Check(string path, TokenDtype dtype, int vocab, ITokenizer? measure,
        ProgressMeter meter, CancellationToken cancel = default)
    {
        var width = WidthOf(dtype);
        var length = new FileInfo(path).Length;
        var name = SnakeCase.Of(dtype.ToString());
        if (length == 0) throw new DataException($"token file '{path}' is empty", Paths);
        if (length % width != 0)
            throw new DataException($"token file '{path}' has {length:N0} bytes, not a whole number of {width}-byte ids ({name}); is data.token_dtype right?", Paths);
        long bytes = 0, start = 0;
        var buffer = new byte[(1 << 18) * width];
        using var stream = CorpusFiles.Open(path);
        int read;
        while ((read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
        {
            cancel.ThrowIfCancellationRequested();
            // uint32 ids at or above 2^31 read as negative
            var ids = CorpusWriter.Ids(buffer.AsSpan(0, read), width);
            var bad = Array.FindIndex(ids, id => (uint)id >= (uint)vocab);
            if (bad >= 0)
                throw new DataException($"token file '{path}' holds id {(uint)ids[bad]:N0} at token {start + bad:N0}, at or above data.vocab_size = {vocab:N0} " +
                                        $"(a wrong vocab_size, or not {name} ids?)", "data.vocab_size");
            if (measure != null) bytes += measure.TextBytes(ids);
            start += ids.Length;
            meter.Bytes += read;
            meter.AddTokens(ids.Length);
        }
        return (start, bytes);
    }

    public static int WidthOf(TokenDtype dtype) => dtype == TokenDtype.Uint32 ? 4 : 2;
}
