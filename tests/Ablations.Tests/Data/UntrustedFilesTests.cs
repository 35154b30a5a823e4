using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Ablations.Config;
using Ablations.Data;

namespace Ablations.Tests.Data;

/// <summary>
/// Files a corpus must not trust: a named pipe where a file should be, links that loop or name one file twice,
/// text that is not text, lines of gigabytes. Each is refused (or skipped) by name, never hangs, never crashes and
/// never reads one file twice into a corpus.
/// </summary>
public class UntrustedFilesTests
{
    readonly string _dir = TinyRuns.TempFolder("untrusted-");

    static DataConfig Text(params string[] paths) => new() { Source = DataSource.Text, Paths = paths };

    static DataConfig Jsonl(string path, BadLines bad = BadLines.Fail) =>
        new() { Source = DataSource.Jsonl, Paths = new[] { path }, BadLines = bad };

    static void Run(string program, params string[] args)
    {
        using var process = Process.Start(program, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    /// <summary>Runs <paramref name="body"/> on the side, failing (not hanging) when it takes over 30 s.</summary>
    static T Within30s<T>(Func<T> body)
    {
        var task = Task.Run(body);
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "it hung");
        return task.Result;
    }

    [Fact]
    public void A_named_pipe_in_the_paths_or_matched_by_a_glob_is_refused_naming_it_before_it_is_opened()
    {
        TestCorpora.Sentences(_dir, 300, "a.txt");
        var fifo = Path.Combine(_dir, "b.txt");
        Run("mkfifo", fifo);
        foreach (var paths in new[] { new[] { "b.txt" }, new[] { "*.txt" } })
        {
            var e = Within30s(() => Assert.Throws<DataException>(() => DataFactory.Prepare(Text(paths), 16, _dir)));
            Assert.Equal("data.paths[0]", e.Key);
            Assert.Equal($"'{fifo}' is a named pipe (FIFO), not a regular file; a corpus reads regular files only",
                e.Reason);
        }
        // token files too: a val.bin that is a pipe would block the check
        TestCorpora.Tokens(_dir, "train.bin", Enumerable.Range(0, 100));
        Run("mkfifo", Path.Combine(_dir, "val.bin"));
        var tokens = new DataConfig
        {
            Source = DataSource.Tokens, Paths = new[] { "." }, VocabSize = 100, Tokenizer = TokenizerKind.None,
        };
        var t = Within30s(() => Assert.Throws<DataException>(() => DataFactory.Prepare(tokens, 8, _dir)));
        Assert.Contains("is a named pipe (FIFO), not a regular file", t.Reason);
    }

    [Fact]
    public void A_glob_through_a_link_that_loops_and_two_links_to_one_file_read_each_file_once()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_dir, "corpus", "sub")).FullName;
        var a = TestCorpora.Sentences(Path.GetDirectoryName(sub)!, 400, "a.txt");
        var b = TestCorpora.Sentences(sub, 300, "b.txt");
        File.CreateSymbolicLink(Path.Combine(sub, "loop"), "..");                   // corpus/sub/loop -> corpus
        File.CreateSymbolicLink(Path.Combine(_dir, "corpus", "same.txt"), a);      // a second name for a.txt
        File.CreateSymbolicLink(Path.Combine(_dir, "corpus", "x-sub"), sub);       // a second path to sub
        var files = CorpusFiles.Resolve(new[] { "corpus/**/*.txt" }, _dir, ".txt");
        Assert.Equal(new[] { a, Path.Combine(_dir, "corpus", "sub", "b.txt") }, files);

        using var data = DataFactory.Prepare(Text("corpus/**/*.txt", "corpus/same.txt"), 16, _dir);
        // each byte once
        Assert.Equal(new FileInfo(a).Length + new FileInfo(b).Length, data.TrainTokens + data.ValidationTokens);
    }

    [Fact]
    public void Links_that_double_the_paths_to_a_folder_at_each_level_stop_the_walk_naming_the_folder()
    {
        var level = Path.Combine(_dir, "maze");
        Directory.CreateDirectory(level);
        for (int i = 0; i < 9; i++)
        {
            var next = Path.Combine(_dir, $"level{i}");
            Directory.CreateDirectory(next);
            File.CreateSymbolicLink(Path.Combine(level, "left"), next);
            File.CreateSymbolicLink(Path.Combine(level, "right"), next);
            level = next;
        }
        File.WriteAllText(Path.Combine(level, "deep.txt"), "text");
        var e = Within30s(() =>
            Assert.Throws<DataException>(() => CorpusFiles.Resolve(new[] { "maze/**/*.txt" }, _dir, ".txt")));
        Assert.Contains($"is reached by more than {GlobFolder.MostPaths} paths through links", e.Reason);
    }

    [Fact]
    public void A_lone_surrogate_in_a_json_line_is_a_bad_line_named_or_skipped_and_counted()
    {
        var file = TestCorpora.JsonLines(_dir, "a.jsonl", Enumerable.Range(0, 300).Select(i => i == 2
            ? "{\"text\": \"half a pair: \\ud800\"}"
            : $"{{\"text\": \"line {i} of the corpus\"}}"));
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl(file), 16, _dir));
        Assert.Equal("data.paths", e.Key);
        Assert.Equal($"{file}:3: an escaped lone UTF-16 surrogate (such as \\ud800), which is not Unicode text " +
                     "(data.bad_lines: skip passes over such lines)", e.Reason);
        var warnings = new List<string>();
        using var data = DataFactory.Prepare(Jsonl(file, BadLines.Skip), 16, _dir, warnings.Add);
        Assert.Equal(299, data.Corpus!.Documents);
        Assert.Contains("skipped 1 line that is not a JSON object (first at line 3: an escaped lone UTF-16 surrogate",
            Assert.Single(warnings));
    }

    [Fact]
    public void Invalid_utf8_in_a_text_file_stops_the_run_naming_its_file_line_and_byte()
    {
        foreach (var (name, cut) in new[] { ("verses.txt", "lines"), ("whole.txt", "whole") })
        {
            var path = Path.Combine(_dir, name);
            var bytes = Encoding.UTF8.GetBytes("first line\nsecond line\nthird \u00e9").ToList();
            bytes.Insert(bytes.Count - 1, 0xff);   // inside the é of line 3: its first byte (the 7th) starts nothing
            var text = cut == "lines" ? File.ReadAllBytes(TestCorpora.Sentences(_dir, 500, "tmp.txt")) : [];
            File.WriteAllBytes(path, bytes.Concat(text).ToArray());
            var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Text(name), 16, _dir));
            Assert.Equal(("data.paths", $"{path}:3: not valid UTF-8 text (byte 7 of the line)"), (e.Key, e.Reason));
        }
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_read_through_and_marked_too_long()
    {
        var input = Encoding.UTF8.GetBytes("short\n" + new string('x', 40) + "\r\nafter\n" + new string('y', 17));
        var lines = new ByteLines(new MemoryStream(input), maxLength: 16);
        var seen = new List<(long, string, bool)>();
        while (lines.Next()) seen.Add((lines.Number, Encoding.UTF8.GetString(lines.Line.Span), lines.TooLong));
        Assert.Equal(new[] { (1L, "short", false), (2L, "", true), (3L, "after", false), (4L, "", true) }, seen);
    }

    [Fact]
    public void A_gzipped_json_line_that_expands_past_64_mib_is_skipped_or_named_without_being_held()
    {
        var path = Path.Combine(_dir, "bomb.jsonl.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes("{\"text\": \"first\"}\n{\"text\": \""));
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)'a');
            for (int i = 0; i <= ByteLines.MaxLength >> 20; i++) gzip.Write(block);   // 65 MiB of one string
            gzip.Write(Encoding.UTF8.GetBytes("\"}\n"));
            foreach (var i in Enumerable.Range(0, 30))
                gzip.Write(Encoding.UTF8.GetBytes($"{{\"text\": \"line {i}\"}}\n"));
        }
        Assert.True(new FileInfo(path).Length < 1 << 20);
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Jsonl(path), 16, _dir));
        Assert.Equal($"{path}:2: longer than 64.00 MiB, the longest line read " +
                     "(data.bad_lines: skip passes over such lines)", e.Reason);
        var warnings = new List<string>();
        using var data = DataFactory.Prepare(Jsonl(path, BadLines.Skip), 16, _dir, warnings.Add);
        Assert.Equal(31, data.Corpus!.Documents);
        Assert.Contains("(first at line 2: longer than 64.00 MiB", Assert.Single(warnings));
    }

    [Fact]
    public void A_text_file_or_paragraph_past_the_longest_document_is_cut_into_pieces_holding_all_its_text()
    {
        var whole = Path.Combine(_dir, "whole.txt");
        // a surrogate pair across the first cut, which no piece may split
        var words = string.Concat(Enumerable.Range(0, 300).Select(i => $"word{i} "));
        var text = new string('a', 999) + "\U0001F600" + words + "end";
        File.WriteAllText(whole, text);
        foreach (var cut in new[] { TextCut.Files, TextCut.Paragraphs })
        {
            var pieces = TextFilesCorpus.Documents(new[] { whole }, cut, longest: 1000).ToList();
            Assert.Equal(text, string.Concat(pieces.Select(d => d.Text)));
            Assert.True(pieces.Count >= 3, $"{cut}: {pieces.Count} pieces");
            Assert.All(pieces, d => Assert.InRange(d.Text.Length, 1, 1001));   // a pair at the cut stays whole
            Assert.All(pieces, d => Assert.False(char.IsHighSurrogate(d.Text[^1])));
            if (cut == TextCut.Files) Assert.All(pieces, d => Assert.Equal("whole.txt", d.Id));   // one side of a split
        }
        // below the limit a file is one document, as it always was
        Assert.Equal(text, Assert.Single(TextFilesCorpus.Documents(new[] { whole }, TextCut.Files)).Text);
    }
}
