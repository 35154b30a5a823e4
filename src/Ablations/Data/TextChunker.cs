using System.Text;

namespace Ablations.Data;

/// <summary>
/// Cuts a text, read as a stream, into documents of at least <c>size</c> characters at breaks of
/// <c>newlines</c> line feeds in a row: 2 cuts between paragraphs, 1 between lines. Pieces between breaks are
/// joined back with their break, except that a document never starts with an empty piece; the break that ends a
/// document is dropped, or kept at its end with <c>keepBreaks</c>. At most one document is held in memory, so a
/// file of any size streams through.
/// </summary>
public static class TextChunker
{
    /// <summary>The documents of one text: <c>{id}#0</c>, <c>{id}#1</c>, ...</summary>
    /// <param name="maxSize">A document that reaches this many characters without a break is cut there (0: never).</param>
    public static IEnumerable<Document> Chunks(TextReader reader, string id, int newlines, int size, int maxSize = 0, bool keepBreaks = false)
    {
        var text = new StringBuilder();
        int part = 0;
        foreach (var _ in Cuts(reader, newlines, size, maxSize, keepBreaks, text))
        {
            yield return new Document($"{id}#{part++}", text.ToString());
            text.Clear();
        }
    }

    /// <summary>How many documents the text would give, counting no further than <paramref name="atMost"/>, and the length of the first.</summary>
    public static (int Count, long FirstLength) Count(TextReader reader, int newlines, int size, int atMost)
    {
        int count = 0;
        long first = 0;
        foreach (var length in Cuts(reader, newlines, size, maxSize: 0, keepBreaks: false, text: null))
        {
            if (count++ == 0) first = length;
            if (count >= atMost) break;
        }
        return (count, first);
    }

    /// <summary>
    /// The length of each document in turn; when <paramref name="text"/> is given it holds the document's
    /// characters when its length is yielded (the caller clears it). Equivalent to splitting the whole text at
    /// every run of <paramref name="newlines"/> line feeds (left to right, as string.Split does) and appending pieces,
    /// with the break before each but the first of a document, until a document reaches <paramref name="size"/>.
    /// </summary>
    static IEnumerable<long> Cuts(TextReader reader, int newlines, int size, int maxSize, bool keepBreaks, StringBuilder? text)
    {
        var buffer = new char[1 << 16];
        long length = 0;     // characters in the current document
        int pending = 0;     // line feeds read since the last other character, fewer than a break
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (c == '\n' && ++pending == newlines)
                {
                    pending = 0;
                    if (length >= size)
                    {
                        // the document is long enough: the break ends it
                        if (keepBreaks) text?.Append('\n', newlines);
                        yield return keepBreaks ? length + newlines : length;
                        length = 0;
                    }
                    else if (length > 0)
                    {
                        text?.Append('\n', newlines);
                        length += newlines;
                    }
                    continue;
                }
                if (c == '\n') continue;
                if (pending > 0)
                {
                    text?.Append('\n', pending);
                    length += pending;
                    pending = 0;
                }
                text?.Append(c);
                if (++length >= maxSize && maxSize > 0 && !char.IsHighSurrogate(c))
                {
                    yield return length;
                    length = 0;
                }
            }
        }
        text?.Append('\n', pending);
        length += pending;
        if (length > 0) yield return length;
    }
}
