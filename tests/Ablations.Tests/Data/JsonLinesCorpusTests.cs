using System.Text;
using System.Text.Json;
using Ablations.Config;
using Ablations.Data;

namespace Ablations.Tests.Data;

/// <summary>JSON Lines as dataset libraries export them: plain or gzipped, the text in a field, broken lines named or skipped.</summary>
public class JsonLinesCorpusTests
{
    readonly string _dir = TinyRuns.TempFolder("jsonl-corpus-");

    static string Line(int i) => JsonSerializer.Serialize(new { id = i, text = $"record {i}: the lord said unto him ", body = $"body {i}" });

    /// <summary>200 records with a broken third line, gzipped.</summary>
    string Broken(string name = "shard.jsonl.gz") =>
        TestCorpora.JsonLines(_dir, name, Enumerable.Range(0, 200).Select(i => i == 2 ? "{\"id\": 2, \"text\": \"cut off" : Line(i)));

    static DataConfig Jsonl(string path, BadLines? badLines = null, string? field = null) =>
        new() { Source = DataSource.Jsonl, Paths = new[] { path }, BadLines = badLines, Field = field };

    [Fact]
    public void A_broken_line_of_a_gzipped_file_fails_naming_the_file_and_line()
    {
        var file = Broken();
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl(file), 16, _dir));
        Assert.Equal("data.paths", e.Key);
        Assert.StartsWith($"{file}:3: not valid JSON at byte ", e.Reason);
        Assert.Contains("data.bad_lines: skip", e.Reason);
    }

    [Fact]
    public void Broken_lines_are_skipped_and_counted_when_asked()
    {
        var file = Broken();
        var warnings = new List<string>();
        using var data = DataFactory.Prepare(Jsonl(file, BadLines.Skip), 16, _dir, warnings.Add);
        var texts = Enumerable.Range(0, 200).Where(i => i != 2).Select(i => $"record {i}: the lord said unto him ").ToList();
        Assert.Equal((199, texts.Sum(t => t.Length)), (data.Corpus!.Documents, data.TrainTokens + data.ValidationTokens));
        Assert.Equal($"{file}: skipped 1 line that is not a JSON object (first at line 3: not valid JSON at byte 27 " +
                     "(Expected end of string, but instead reached end of data))", Assert.Single(warnings));

        warnings.Clear();
        using (DataFactory.Prepare(Jsonl(file, BadLines.Skip), 16, _dir, warnings.Add)) { }
        Assert.Single(warnings);   // said again when the cached corpus is used
    }

    [Fact]
    public void The_field_names_the_text_and_is_part_of_the_cache_key()
    {
        var file = TestCorpora.JsonLines(_dir, "plain.jsonl", Enumerable.Range(0, 100).Select(Line).Append("").Append("   "));
        using var text = DataFactory.Prepare(Jsonl(file), 16, _dir);
        using var body = DataFactory.Prepare(Jsonl(file, field: "body"), 16, _dir);
        using var again = DataFactory.Prepare(Jsonl(file, field: "text"), 16, _dir);
        Assert.Equal(Enumerable.Range(0, 100).Sum(i => $"body {i}".Length), body.TrainTokens + body.ValidationTokens);
        Assert.Equal(100, text.Corpus!.Documents);   // blank lines are passed over
        Assert.NotEqual(text.Corpus.Key, body.Corpus!.Key);
        Assert.Equal(text.Corpus.Key, again.Corpus!.Key);

        File.AppendAllText(file, Line(100) + "\n");
        using var grown = DataFactory.Prepare(Jsonl(file), 16, _dir);
        Assert.NotEqual(text.Corpus.Key, grown.Corpus!.Key);
        Assert.Equal(101, grown.Corpus.Documents);
    }

    [Fact]
    public void A_missing_field_or_one_that_is_not_text_fails_naming_the_line()
    {
        var file = TestCorpora.JsonLines(_dir, "mixed.jsonl", new[] { Line(0), "{\"id\": 1, \"content\": \"x\"}", "{\"id\": 2, \"text\": 7}" });
        var missing = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl(file), 16, _dir));
        Assert.Equal(("data.field", $"{file}:2: no field 'text' (the line has id, content)"), (missing.Key, missing.Reason));
        File.WriteAllLines(file, new[] { Line(0), "{\"id\": 2, \"text\": 7}" });
        var number = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl(file, BadLines.Skip), 16, _dir));
        Assert.Equal($"{file}:2: field 'text' is a number, not text", number.Reason);
    }

    [Fact]
    public void A_line_that_is_not_utf8_or_not_an_object_is_a_bad_line()
    {
        var path = Path.Combine(_dir, "bytes.jsonl");
        var good = Encoding.UTF8.GetBytes(string.Join("\r\n", Enumerable.Range(0, 50).Select(Line)) + "\r\n");
        File.WriteAllBytes(path, good.Concat(new byte[] { (byte)'{', (byte)'"', (byte)'t', 0xff, (byte)'"', (byte)':', (byte)'1', (byte)'}', (byte)'\n' })
            .Concat(Encoding.UTF8.GetBytes("[1, 2]\n")).ToArray());
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl(path), 16, _dir));
        Assert.Equal($"{path}:51: not valid UTF-8 text (data.bad_lines: skip passes over such lines)", e.Reason);
        var warnings = new List<string>();
        using var data = DataFactory.Prepare(Jsonl(path, BadLines.Skip), 16, _dir, warnings.Add);
        Assert.Equal(50, data.Corpus!.Documents);
        Assert.Equal($"{path}: skipped 2 lines that are not a JSON object (first at line 51: not valid UTF-8 text)", Assert.Single(warnings));
    }

    [Fact]
    public void An_empty_shard_or_a_cut_off_gzip_fails_naming_the_file()
    {
        var good = TestCorpora.JsonLines(_dir, "a.jsonl", Enumerable.Range(0, 50).Select(Line));
        var empty = TestCorpora.JsonLines(_dir, "b.jsonl", Array.Empty<string>());
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl("*.jsonl"), 16, _dir));
        Assert.Equal($"'{empty}' has no lines (an empty shard)", e.Reason);
        File.Delete(empty);
        using (var data = DataFactory.Prepare(Jsonl("*.jsonl"), 16, _dir)) Assert.Equal(50, data.Corpus!.Documents);

        var zipped = TestCorpora.JsonLines(_dir, "c.jsonl.gz", Enumerable.Range(0, 3000).Select(Line));
        File.WriteAllBytes(zipped, File.ReadAllBytes(zipped)[..^200]);
        var cut = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl("c.jsonl.gz"), 16, _dir));
        Assert.Matches($"^{zipped}:[0-9]+: not valid JSON", cut.Reason);   // the line the cut ends in

        File.WriteAllBytes(zipped, File.ReadAllBytes(zipped).Select((b, i) => i > 100 ? (byte)~b : b).ToArray());
        var garbled = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl("c.jsonl.gz"), 16, _dir));
        Assert.StartsWith($"{zipped}: not valid gzip data after line ", garbled.Reason);
        Assert.Equal(good, Path.Combine(_dir, "a.jsonl"));

        File.WriteAllBytes(zipped, new byte[] { 0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0 });
        Assert.StartsWith($"'{zipped}' is compressed with zstd, which is not read; decompress it",
            Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl("c.jsonl.gz"), 16, _dir)).Reason);
    }

    [Fact]
    public void Gzip_is_known_by_its_bytes_whatever_the_name()
    {
        var file = TestCorpora.JsonLines(_dir, "c4-train.00000.json.gz", Enumerable.Range(0, 40).Select(Line));
        File.Move(file, Path.Combine(_dir, "renamed.json"));
        using var data = DataFactory.Prepare(Jsonl("renamed.json"), 16, _dir);
        Assert.Equal(40, data.Corpus!.Documents);
    }
}
