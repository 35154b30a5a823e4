using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Serialization;

namespace Ablations.Data;

/// <summary>How a corpus's validation split was made.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HeldOut>))]
public enum HeldOut
{
    /// <summary>Whole documents, chosen by a stable hash of their ids.</summary>
    Documents,
    /// <summary>The last document, since the hash chose none.</summary>
    LastDocument,
    /// <summary>The tail of the token stream (nanoGPT's split): asked for, or when whole documents cannot be held out.</summary>
    Tail,
    /// <summary>Given: the token files' own train.bin and val.bin.</summary>
    Files,
}

/// <summary>
/// Tokenises a stream of documents, one at a time, into a cache entry's train.bin and val.bin: no more than one
/// document's text and tokens is held in memory. Documents go to validation by a stable hash of their id, so the
/// split never depends on order or run; when the hash holds out none, the last document is held out; when that
/// leaves either side without tokens (a corpus of one document), or <c>tail</c> asks for it, the last share of
/// the token stream is held out instead.
/// </summary>
public static class CorpusWriter
{
    public const string TrainFile = "train.bin";
    public const string ValidationFile = "val.bin";

    /// <param name="cancel">Checked before each document, so that an interrupt stops the pass within one.</param>
    public static CorpusInfo Write(string folder, string source, IEnumerable<Document> documents, double fraction,
        bool tail, ITokenizer tokenizer, ProgressMeter meter, CancellationToken cancel = default)
    {
        var width = TokenCache.Width(tokenizer.VocabSize);
        var (trainPath, validationPath) = (Path.Combine(folder, TrainFile), Path.Combine(folder, ValidationFile));
        var threshold = (ulong)(fraction * ulong.MaxValue);
        long trainBytes = 0, validationBytes = 0, lastStart = 0, lastBytes = 0;
        int count = 0, validationDocuments = 0;
        using (var train = new TokenFileWriter(trainPath, width))
        using (var validation = new TokenFileWriter(validationPath, width))
        {
            foreach (var d in documents)
            {
                cancel.ThrowIfCancellationRequested();
                var ids = tokenizer.Encode(d.Text);
                var bytes = Encoding.UTF8.GetByteCount(d.Text);
                count++;
                if (!tail && Fnv1a(d.Id) < threshold)
                {
                    validation.Append(ids);
                    validationBytes += bytes;
                    validationDocuments++;
                }
                else
                {
                    (lastStart, lastBytes) = (train.Count, bytes);
                    train.Append(ids);
                    trainBytes += bytes;
                }
                meter.AddTokens(ids.Length, bytes);
            }
        }
        var split = tail ? HeldOut.Tail : HeldOut.Documents;
        if (!tail && validationDocuments == 0 && count > 0)
        {
            MoveTail(trainPath, validationPath, lastStart, width, measure: null);
            (trainBytes, validationBytes, validationDocuments, split) = (trainBytes - lastBytes, lastBytes, 1, HeldOut.LastDocument);
        }
        if (Tokens(trainPath, width) == 0 || Tokens(validationPath, width) == 0)
        {
            // One side is empty, so the other holds the whole stream in order: cut its tail.
            if (Tokens(trainPath, width) == 0) File.Move(validationPath, trainPath, overwrite: true);
            File.WriteAllBytes(validationPath, Array.Empty<byte>());
            var total = Tokens(trainPath, width);
            var bytes = trainBytes + validationBytes;
            if (total >= 2)
            {
                var cut = Math.Clamp((long)Math.Floor(total * (1 - fraction)), 1, total - 1);
                validationBytes = MoveTail(trainPath, validationPath, cut, width, tokenizer);
                (trainBytes, validationDocuments, split) = (bytes - validationBytes, 0, HeldOut.Tail);
            }
        }
        return new CorpusInfo(source, tokenizer.Name, tokenizer.VocabSize, count, validationDocuments,
            Tokens(trainPath, width), Tokens(validationPath, width), trainBytes, validationBytes, Key: "", Split: split);
    }

    static long Tokens(string path, int width) => new FileInfo(path).Length / width;

    /// <summary>
    /// Moves the tokens of <paramref name="from"/> after its first <paramref name="start"/> to the end of
    /// <paramref name="to"/>, and returns the bytes of text they stand for when <paramref name="measure"/> is given.
    /// </summary>
    static long MoveTail(string from, string to, long start, int width, ITokenizer? measure)
    {
        long bytes = 0;
        using (var source = new FileStream(from, FileMode.Open, FileAccess.ReadWrite))
        using (var target = new FileStream(to, FileMode.Append, FileAccess.Write))
        {
            source.Position = start * width;
            var buffer = new byte[(1 << 16) * width];
            int read;
            while ((read = source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
            {
                if (measure != null) bytes += measure.TextBytes(Ids(buffer.AsSpan(0, read), width));
                target.Write(buffer, 0, read);
            }
            source.SetLength(start * width);
        }
        return bytes;
    }

    /// <summary>The ids of a run of token file bytes of <paramref name="width"/> 2 or 4.</summary>
    public static int[] Ids(ReadOnlySpan<byte> bytes, int width)
    {
        var ids = new int[bytes.Length / width];
        for (int i = 0; i < ids.Length; i++)
            ids[i] = width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) : BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
        return ids;
    }

    static ulong Fnv1a(string s)
    {
        ulong h = 14695981039346656037;
        foreach (var c in s) { h ^= c; h *= 1099511628211; }
        // final avalanche so that similar ids spread over the whole range
        h ^= h >> 33; h *= 0xff51afd7ed558ccd; h ^= h >> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >> 33;
        return h;
    }
}
