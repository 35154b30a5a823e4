using System.Text;
using Ablations.Data;

namespace Ablations.Tests.Data;

/// <summary>The streaming cutter gives exactly the documents that splitting the whole text gave, and lines stream too.</summary>
public class TextChunkerTests
{
    /// <summary>How a file was cut before it streamed: split the whole text at blank lines, then join paragraphs up to the size.</summary>
    static IEnumerable<Document> WholeTextChunks(string id, string text, int size)
    {
        var current = new StringBuilder();
        int part = 0;
        foreach (var p in text.Split("\n\n"))
        {
            if (current.Length > 0) current.Append("\n\n");
            current.Append(p);
            if (current.Length >= size)
            {
                yield return new Document($"{id}#{part++}", current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0) yield return new Document($"{id}#{part}", current.ToString());
    }

    static string RandomText(Random random, int length, string alphabet) =>
        new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

    [Fact]
    public void Paragraph_documents_are_those_of_splitting_the_whole_text()
    {
        var random = new Random(7);
        var cases = new List<(string Text, int Size)> { ("", 8), ("\n", 8), ("\n\n", 8), ("a\n\n", 1), ("a\n\n\nb", 1), ("\n\n\n\nab\n\n\n", 2) };
        for (int i = 0; i < 400; i++) cases.Add((RandomText(random, random.Next(0, 200), "ab\n\n\n\r "), random.Next(1, 30)));
        // longer than the reader's buffer, so that breaks fall across reads
        cases.Add((RandomText(random, 300_000, "abcdefgh \n\n"), 4096));
        foreach (var (text, size) in cases)
        {
            var streamed = TextChunker.Chunks(new StringReader(text), "f", newlines: 2, size).ToList();
            Assert.Equal(WholeTextChunks("f", text, size).ToList(), streamed);
            var (count, first) = TextChunker.Count(new StringReader(text), newlines: 2, size, atMost: int.MaxValue);
            Assert.Equal((streamed.Count, streamed.FirstOrDefault()?.Text.Length ?? 0), (count, (int)first));
        }
    }

    [Fact]
    public void Line_documents_keep_every_character_and_end_at_a_line()
    {
        var random = new Random(3);
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i} " + RandomText(random, random.Next(1, 90), "abc ") + "\n"));
        var documents = TextChunker.Chunks(new StringReader(text), "v", newlines: 1, size: 1000, maxSize: 1 << 20, keepBreaks: true).ToList();
        Assert.Equal(text, string.Concat(documents.Select(d => d.Text)));
        Assert.All(documents, d => Assert.EndsWith("\n", d.Text));
        Assert.All(documents.SkipLast(1), d => Assert.InRange(d.Text.Length, 1000, 1000 + 100));
        Assert.Equal(Enumerable.Range(0, documents.Count).Select(i => $"v#{i}"), documents.Select(d => d.Id));
    }

    [Fact]
    public void A_line_longer_than_the_largest_document_is_cut_within_it()
    {
        var text = new string('x', 2500) + "\nshort\n";
        var documents = TextChunker.Chunks(new StringReader(text), "v", newlines: 1, size: 100, maxSize: 1000, keepBreaks: true).ToList();
        Assert.Equal(new[] { 1000, 1000, 501, 6 }, documents.Select(d => d.Text.Length));
        Assert.Equal(text, string.Concat(documents.Select(d => d.Text)));
    }
}
