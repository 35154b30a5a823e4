using System.IO.Compression;
using System.Text.Json;
using System.Text.Unicode;
using Ablations.Config;

namespace Ablations.Data;

/// <summary>
/// JSON Lines files, plain or gzipped, as dataset libraries export them: one JSON object per line, its text
/// in one field. Each line is a document, <c>{file name}:{line}</c>; blank lines are passed over. A line that is
/// not a JSON object fails naming its file and line, or is skipped and counted (data.bad_lines: skip); so does a
/// line that is not text: invalid UTF-8, an escaped lone UTF-16 surrogate (<c>"\ud800"</c>, valid JSON that is no
/// Unicode string), or longer than <see cref="ByteLines.MaxLength"/> bytes (read through, never held). A field
/// that is missing or not text always fails, since it means the wrong field was named.
/// </summary>
public static class JsonLinesCorpus
{
    const string Paths = "data.paths";
    const string Field = "data.field";

    /// <param name="maxLine">The longest line read, in bytes (a test sets a small one).</param>
    public static IEnumerable<Document> Documents(IReadOnlyList<string> files, string field, BadLines badLines,
        ProgressMeter? meter = null, Action<string>? warn = null, CancellationToken cancel = default,
        int maxLine = ByteLines.MaxLength)
    {
        long before = 0;
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            long documents = 0, skipped = 0;
            string? firstSkipped = null;
            using var stream = CorpusFiles.Open(file);
            using var input = Decompressed(stream, file);
            var lines = new ByteLines(input, maxLine, cancel);
            while (Next(lines, file))
            {
                if (!lines.TooLong && lines.Line.Span.Trim(" \t"u8).IsEmpty) continue;
                var (text, problem) = lines.TooLong
                    ? ("", $"longer than {Ablations.Common.Units.Bytes(maxLine)}, the longest line read")
                    : Parse(lines.Line, field, file, lines.Number);
                if (problem != null)
                {
                    if (badLines == BadLines.Fail)
                        throw new DataException($"{file}:{lines.Number}: {problem} (data.bad_lines: skip passes over such lines)", Paths);
                    skipped++;
                    firstSkipped ??= $"line {lines.Number}: {problem}";
                    continue;
                }
                documents++;
                if (meter != null) meter.Bytes = before + stream.Position;
                yield return new Document($"{name}:{lines.Number}", text);
            }
            if (skipped > 0) warn?.Invoke($"{file}: skipped {skipped:N0} {(skipped == 1 ? "line that is" : "lines that are")} not a JSON object (first at {firstSkipped})");
            if (documents == 0)
                throw new DataException(skipped > 0 ? $"'{file}' has no JSON object to read, only {skipped:N0} lines that are not" : $"'{file}' has no lines (an empty shard)", Paths);
            before += stream.Length;
        }
    }

    /// <summary>A line's text (empty when the field is null), or what makes it no JSON object.</summary>
    static (string Value, string? Problem) Parse(ReadOnlyMemory<byte> line, string field, string file, long number)
    {
        if (!Utf8.IsValid(line.Span)) return ("", "not valid UTF-8 text");
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            return ("", $"not valid JSON at byte {e.BytePositionInLine + 1} ({e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd('.', ' ')})");
        }
        using (json)
        {
            try
            {
                return Text(json.RootElement, field, file, number);
            }
            catch (InvalidOperationException)
            {
                // JSON may escape half of a surrogate pair ("\ud800"), which no UTF-16 string holds as text.
                return ("", "an escaped lone UTF-16 surrogate (such as \\ud800), which is not Unicode text");
            }
        }
    }

    /// <summary>The text of a parsed line, or what makes it no JSON object.</summary>
    static (string Value, string? Problem) Text(JsonElement root, string field, string file, long number)
    {
        if (root.ValueKind != JsonValueKind.Object) return ("", $"a JSON {Kind(root.ValueKind)}, not an object");
        if (!root.TryGetProperty(field, out var value))
        {
            var names = root.EnumerateObject().Select(p => p.Name).Take(12).ToList();
            var has = names.Count == 0 ? "no fields" : string.Join(", ", names);
            throw new DataException($"{file}:{number}: no field '{field}' (the line has {has})", Field);
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => (value.GetString()!, null),
            JsonValueKind.Null => ("", null),
            _ => throw new DataException($"{file}:{number}: field '{field}' is a {Kind(value.ValueKind)}, not text",
                Field),
        };
    }

    static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>The file's bytes, gunzipped when they are gzip (whatever its name); zstd, which dataset hubs also use, is refused saying so.</summary>
    static Stream Decompressed(FileStream stream, string file)
    {
        Span<byte> magic = stackalloc byte[4];
        var read = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        stream.Position = 0;
        if (read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return new GZipStream(stream, CompressionMode.Decompress);
        if (read == 4 && magic.SequenceEqual(new byte[] { 0x28, 0xb5, 0x2f, 0xfd }))
            throw new DataException($"'{file}' is compressed with zstd, which is not read; decompress it (zstd -d) or recompress it with gzip", Paths);
        return stream;
    }

    static bool Next(ByteLines lines, string file)
    {
        try
        {
            return lines.Next();
        }
        catch (InvalidDataException e)
        {
            throw new DataException($"{file}: not valid gzip data after line {lines.Number} ({e.Message.TrimEnd('.')})", Paths);
        }
        catch (IOException e)
        {
            throw CorpusFiles.Unreadable(file, e);
        }
    }
}
