using System.Buffers;
using System.Text;
using System.Text.Unicode;
using System.Text.Json.Serialization;

namespace Ablations.Data;

/// <summary>
/// The user's UTF-8 text files, named directly or by glob patterns: each file is one document when there are
/// many; a handful are cut into documents (<see cref="Plan"/>).
/// </summary>
public static class TextFilesCorpus
{
    /// <summary>The configuration key every error here concerns.</summary>
    const string Paths = "data.paths";

    /// <summary>Fewer files than this are cut into documents; more stay whole, one document each.</summary>
    public const int WholeFiles = 20;
    /// <summary>The size a document of a cut file reaches before the next break ends it, in characters.</summary>
    public const int DocumentSize = 4096;
    /// <summary>A document of lines is cut at this many characters even within a line (a file without line feeds).</summary>
    public const int LongestDocument = 1 << 20;
    /// <summary>
    /// The most characters any document holds (64 Mi): a longer whole file or paragraph is cut there, so a file of
    /// gigabytes without a break streams through instead of being held whole (a file's pieces keep its id, so it
    /// stays on one side of the split).
    /// </summary>
    public const int LongestText = 1 << 26;

    /// <summary>
    /// How the files become documents: many files stay whole; a handful are cut into documents of whole
    /// paragraphs, unless those would be too few to hold one out for validation (under <paramref name="maxBytes"/>,
    /// 0 = all), as in one big file without blank lines: then into documents of whole lines. Reads the text (not
    /// tokenising it) no further than it takes to count two documents.
    /// </summary>
    public static TextCut Plan(IReadOnlyList<string> files, long maxBytes, CancellationToken cancel = default)
    {
        if (files.Count >= WholeFiles) return TextCut.Files;
        int count = 0;
        long first = 0;
        foreach (var file in files)
        {
            using var reader = Open(file, out _, cancel);
            var (found, length) = TextChunker.Count(reader, newlines: 2, DocumentSize, atMost: 2 - count);
            if (count == 0) first = length;
            count += found;
            if (count >= 2) break;
        }
        return count >= 2 && (maxBytes == 0 || first < maxBytes) ? TextCut.Paragraphs : TextCut.Lines;
    }

    /// <summary>
    /// The documents of the files, read one at a time: at most one document (a whole file for
    /// <see cref="TextCut.Files"/>, up to <see cref="LongestText"/> characters) is in memory.
    /// </summary>
    /// <param name="cancel">Checked at every block of text read (64 Ki characters), within a long document too.</param>
    public static IEnumerable<Document> Documents(IReadOnlyList<string> files, TextCut cut, ProgressMeter? meter = null,
        int longest = LongestText, CancellationToken cancel = default)
    {
        long before = 0;
        var root = CommonFolder(files);
        foreach (var file in files)
        {
            // Ids are paths below the files' common folder, so the split does not depend on where the corpus lives.
            var id = Path.GetRelativePath(root, file);
            if (cut == TextCut.Files)
                foreach (var piece in Whole(file, id, longest, cancel)) yield return piece;
            else
            {
                using var reader = Open(file, out var stream, cancel);
                var chunks = cut == TextCut.Paragraphs
                    ? TextChunker.Chunks(reader, id, newlines: 2, DocumentSize, longest)
                    : TextChunker.Chunks(reader, id, newlines: 1, DocumentSize, LongestDocument, keepBreaks: true);
                foreach (var d in chunks)
                {
                    if (meter != null) meter.Bytes = before + stream.Position;
                    yield return d;
                }
            }
            before += new FileInfo(file).Length;
            if (meter != null) meter.Bytes = before;
        }
    }

    /// <summary>The deepest folder that holds every one of the files.</summary>
    internal static string CommonFolder(IReadOnlyList<string> files)
    {
        if (files.Count == 0) return "";
        var root = Path.GetDirectoryName(Path.GetFullPath(files[0]))!;
        foreach (var file in files.Skip(1))
        {
            var full = Path.GetFullPath(file);
            while (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                root = Path.GetDirectoryName(root) ?? Path.GetPathRoot(full)!;
        }
        return root;
    }

    /// <summary>
    /// A file as one document, or, past <paramref name="longest"/> characters, as pieces of that many, all with the
    /// file's id. Files below the limit are read as they always were, so their tokens do not change.
    /// </summary>
    static IEnumerable<Document> Whole(string file, string id, int longest, CancellationToken cancel)
    {
        if (new FileInfo(file).Length <= longest)
        {
            yield return new Document(id, ReadAll(file));
            yield break;
        }
        using var reader = Open(file, out _, cancel);
        var buffer = new char[longest];
        int held = 0, read;
        while ((read = reader.Read(buffer, held, buffer.Length - held)) > 0 || held > 0)
        {
            held += read;
            if (held < buffer.Length && read > 0) continue;
            // A piece never ends between the two halves of a surrogate pair.
            var length = held == buffer.Length && char.IsHighSurrogate(buffer[held - 1]) ? held - 1 : held;
            yield return new Document(id, new string(buffer, 0, length));
            buffer[0] = buffer[held - 1];
            held -= length;
        }
    }

    static string ReadAll(string file)
    {
        try
        {
            return Strict.GetString(File.ReadAllBytes(file));
        }
        catch (DecoderFallbackException)
        {
            throw NotText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CorpusFiles.Unreadable(file, e);
        }
    }

    static TextReader Open(string file, out Stream stream, CancellationToken cancel)
    {
        stream = CorpusFiles.Open(file);
        // No byte order mark is skipped, as decoding the whole file would keep it.
        var reader = new StreamReader(stream, Strict, detectEncodingFromByteOrderMarks: false, 1 << 16);
        return new CheckedReader(reader, file, cancel);
    }

    static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    /// <summary>
    /// Invalid UTF-8 stops the run, naming the file, the line and the byte where it starts: a text corpus has no
    /// lines to skip (data.bad_lines is for JSON Lines), and decoding it with replacement characters would train on
    /// text that is not in the file.
    /// </summary>
    static DataException NotText(string file)
    {
        var (line, column) = FirstInvalid(file);
        return new($"{file}:{line}: not valid UTF-8 text (byte {column} of the line)", Paths);
    }

    /// <summary>Where a file's first invalid UTF-8 sequence starts: its line and byte in the line, from 1.</summary>
    static (long Line, long Byte) FirstInvalid(string file)
    {
        using var stream = CorpusFiles.Open(file);
        var bytes = new byte[1 << 16];
        var chars = new char[1 << 16];
        long line = 1, lineStart = 0, offset = 0;
        int held = 0, read;
        while ((read = stream.Read(bytes, held, bytes.Length - held)) > 0 || held > 0)
        {
            held += read;
            var status = Utf8.ToUtf16(bytes.AsSpan(0, held), chars, out var used, out _,
                replaceInvalidSequences: false, isFinalBlock: read == 0);
            var valid = bytes.AsSpan(0, used);
            line += valid.Count((byte)'\n');
            if (valid.LastIndexOf((byte)'\n') is var feed and >= 0) lineStart = offset + feed + 1;
            if (status == OperationStatus.InvalidData) return (line, offset + used - lineStart + 1);
            offset += used;
            bytes.AsSpan(used, held - used).CopyTo(bytes);   // a sequence cut by the buffer's end
            held -= used;
            if (read == 0) break;
        }
        return (line, 1);   // decoding failed where a scan finds nothing: name the file's start
    }

    /// <summary>A file's text as it is read, whose invalid UTF-8 or read failure is a data error naming the file.</summary>
    sealed class CheckedReader(StreamReader inner, string file, CancellationToken cancel) : TextReader
    {
        public override int Read(char[] buffer, int index, int count)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                return inner.Read(buffer, index, count);
            }
            catch (DecoderFallbackException)
            {
                throw NotText(file);
            }
            catch (IOException e)
            {
                throw CorpusFiles.Unreadable(file, e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>How the files of a text corpus become documents.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TextCut>))]
public enum TextCut
{
    /// <summary>Each file is one document.</summary>
    Files,
    /// <summary>Documents of whole paragraphs (about 4 KB), cut at blank lines.</summary>
    Paragraphs,
    /// <summary>Documents of whole lines (about 4 KB): for text with too few paragraphs to hold one out.</summary>
    Lines,
}
