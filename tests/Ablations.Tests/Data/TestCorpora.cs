using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace Ablations.Tests.Data;

/// <summary>Small corpora of the kinds a researcher brings, written into a test's own folder.</summary>
public static class TestCorpora
{
    static readonly string[] Words = "and the of to that in he shall unto for his lord they be is him not them it with all thou thy was god which".Split(' ');

    /// <summary>
    /// One sentence per line and no blank line, as the King James Bible's verses come: its paragraphs are a single
    /// document. Every line is different.
    /// </summary>
    public static string Sentences(string folder, int lines, string name = "verses.txt")
    {
        var random = new Random(lines);
        var text = new StringBuilder();
        for (int i = 1; i <= lines; i++)
            text.Append($"{i / 30 + 1}:{i % 30 + 1} ").AppendJoin(' ', Enumerable.Range(0, random.Next(6, 20)).Select(_ => Words[random.Next(Words.Length)])).Append(".\n");
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>JSON Lines, gzipped when the name ends in .gz.</summary>
    public static string JsonLines(string folder, string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(folder, name);
        using var file = File.Create(path);
        using Stream stream = name.EndsWith(".gz") ? new GZipStream(file, CompressionLevel.Fastest) : file;
        foreach (var line in lines) stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
        return path;
    }

    /// <summary>A Parquet shard written by Parquet.Net: a text column <paramref name="column"/> and an id column, one row group per list.</summary>
    public static string Parquet(string folder, string name, IReadOnlyList<string?[]> rowGroups, string column = "text")
    {
        var text = new DataField<string>(column);
        var id = new DataField<long>("id");
        var path = Path.Combine(folder, name);
        using var file = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(text, id), file).GetAwaiter().GetResult();
        try
        {
            long next = 0;
            foreach (var rows in rowGroups)
            {
                using var group = writer.CreateRowGroup();
                group.WriteAsync(text, rows).GetAwaiter().GetResult();
                group.WriteAsync<long>(id, rows.Select(_ => next++).ToArray().AsMemory(), null, null, default).GetAwaiter().GetResult();
            }
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return path;
    }

    /// <summary>A token file as nanoGPT writes it: ids of <paramref name="width"/> bytes, little-endian, nothing else.</summary>
    public static string Tokens(string folder, string name, IEnumerable<int> ids, int width = 2)
    {
        var path = Path.Combine(folder, name);
        var bytes = new List<byte>();
        foreach (var id in ids) bytes.AddRange(width == 2 ? BitConverter.GetBytes((ushort)id) : BitConverter.GetBytes(id));
        File.WriteAllBytes(path, bytes.ToArray());
        return path;
    }
}
