using System.Text;
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
    /// How the files become documents: many files stay whole; a handful are cut into documents of whole
    /// paragraphs, unless those would be too few to hold one out for validation (under <paramref name="maxBytes"/>,
    /// 0 = all), as in one big file without blank lines: then into documents of whole lines. Reads the text (not
    /// tokenising it) no further than it takes to count two documents.
    /// </summary>
    public static TextCut Plan(IReadOnlyList<string> files, long maxBytes)
    {
        if (files.Count >= WholeFiles) return TextCut.Files;
        int count = 0;
        long first = 0;
        foreach (var file in files)
        {
            using var reader = Open(file, out _);
            var (found, length) = TextChunker.Count(reader, newlines: 2, DocumentSize, atMost: 2 - count);
            if (count == 0) first = length;
            count += found;
            if (count >= 2) break;
        }
        return count >= 2 && (maxBytes == 0 || first < maxBytes) ? TextCut.Paragraphs : TextCut.Lines;
    }

    /// <summary>The documents of the files, read one at a time: at most one document (a whole file for <see cref="TextCut.Files"/>) is in memory.</summary>
    public static IEnumerable<Document> Documents(IReadOnlyList<string> files, TextCut cut, ProgressMeter? meter = null)
    {
        long before = 0;
        var root = CommonFolder(files);
        foreach (var file in files)
        {
            // Ids are paths below the files' common folder, so the split does not depend on where the corpus lives.
            var id = Path.GetRelativePath(root, file);
            if (cut == TextCut.Files) yield return new Document(id, ReadAll(file));
            else
            {
                using var reader = Open(file, out var stream);
                var chunks = cut == TextCut.Paragraphs
                    ? TextChunker.Chunks(reader, id, newlines: 2, DocumentSize)
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

    static TextReader Open(string file, out Stream stream)
    {
        stream = CorpusFiles.Open(file);
        // No byte order mark is skipped, as decoding the whole file would keep it.
        return new CheckedReader(new StreamReader(stream, Strict, detectEncodingFromByteOrderMarks: false, 1 << 16), file);
    }

    static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    static DataException NotText(string file) => new($"'{file}' is not valid UTF-8 text", Paths);

    /// <summary>A file's text as it is read, whose invalid UTF-8 or read failure is a data error naming the file.</summary>
    sealed class CheckedReader(StreamReader inner, string file) : TextReader
    {
        public override int Read(char[] buffer, int index, int count)
        {
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
