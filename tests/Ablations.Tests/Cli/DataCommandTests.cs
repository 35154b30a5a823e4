using Ablations.Tests.Data;

namespace Ablations.Tests.Cli;

/// <summary>
/// `ablate data info` on each kind of corpus a researcher brings: documents, how the split was made, tokens per
/// split and bytes per token; bad input is one line naming the file (and line or row group) with exit code 2.
/// </summary>
public class DataCommandTests : IDisposable
{
    readonly string _dir = TinyRuns.TempFolder("data-command-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A run file whose data section is <paramref name="data"/> (indented lines), training on short sequences.</summary>
    string Run(string data, string name = "run.yaml")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "model:\n  d_model: 64\n  vocab_size: 512\ntrain:\n  context: 32\ndata:\n" + data);
        return path;
    }

    static string Value(Repo.Result r, string label)
    {
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        return r.Stdout.Split('\n').Single(l => l.StartsWith(label + " ")).Substring(16);
    }

    [Fact]
    public void A_text_of_one_sentence_per_line_is_cut_into_documents_and_said_so()
    {
        var bytes = new FileInfo(TestCorpora.Sentences(_dir, 3000)).Length;
        var r = Repo.AblateIn(_dir, "data", "info", Run("  source: text\n  paths: [verses.txt]\n"));
        Assert.Contains("tokenised ", r.Stdout);   // the pass said what it did (a bar on a terminal)
        Assert.Matches("^[0-9,]+ \\([0-9,]+ held out for validation\\)$", Value(r, "documents"));
        Assert.Contains("documents of whole lines (its paragraphs were too few to hold one out)", Value(r, "data"));
        var train = long.Parse(Value(r, "train tokens").Replace(",", ""));
        var validation = long.Parse(Value(r, "val tokens").Replace(",", ""));
        Assert.Equal(bytes, train + validation);
        Assert.Matches($"^([0-9,]+ whole documents chosen by a hash of their ids|the last document, as the hash chose none); {train:N0} train and {validation:N0} validation tokens$", Value(r, "split"));
        Assert.Equal("1.000 (validation text)", Value(r, "bytes per token"));

        var tail = Repo.AblateIn(_dir, "data", "info", Run("  source: text\n  paths: [verses.txt]\n  split: tail\n"));
        Assert.StartsWith("the last 5.0% of the token stream (nanoGPT's split)", Value(tail, "split"));
        Assert.EndsWith("(split by tokens, not documents)", Value(tail, "documents"));
    }

    [Fact]
    public void Json_lines_parquet_and_token_files_are_described()
    {
        TestCorpora.JsonLines(_dir, "a.jsonl.gz", Enumerable.Range(0, 300).Select(i => $"{{\"text\": \"line {i} of the corpus\"}}"));
        var jsonl = Repo.AblateIn(_dir, "data", "info", Run("  source: jsonl\n  paths: [\"*.jsonl.gz\"]\n"));
        Assert.StartsWith("300 (", Value(jsonl, "documents"));

        TestCorpora.Parquet(_dir, "train-0.parquet", new[] { Enumerable.Range(0, 250).Select(i => (string?)$"row {i} of the shard").ToArray() });
        var parquet = Repo.AblateIn(_dir, "data", "info", Run("  source: parquet\n  paths: [\"train-*.parquet\"]\n  tokenizer: gpt2\n", "gpt2.yaml"), "--set", "model.vocab_size=50304");
        Assert.StartsWith("250 (", Value(parquet, "documents"));
        Assert.Matches("^[0-9.]+ \\(validation text\\)$", Value(parquet, "bytes per token"));
        Assert.Equal("50,257", Value(parquet, "vocabulary"));

        Directory.CreateDirectory(Path.Combine(_dir, "shakespeare_char"));
        TestCorpora.Tokens(Path.Combine(_dir, "shakespeare_char"), "train.bin", Enumerable.Range(0, 3000).Select(i => i % 65));
        TestCorpora.Tokens(Path.Combine(_dir, "shakespeare_char"), "val.bin", Enumerable.Range(0, 400).Select(i => i % 65));
        var tokens = Repo.AblateIn(_dir, "data", "info", Run("  source: tokens\n  paths: [shakespeare_char]\n  vocab_size: 65\n  tokenizer: none\n", "tokens.yaml"));
        Assert.Equal(("3,000", "400"), (Value(tokens, "train tokens"), Value(tokens, "val tokens")));
        Assert.Equal("the token files' own val.bin; 3,000 train and 400 validation tokens", Value(tokens, "split"));
        Assert.StartsWith($"{Path.Combine(_dir, "shakespeare_char", "train.bin")}, ", Value(tokens, "files"));
        Assert.Contains("bytes per token unknown (tokenizer: none)", tokens.Stdout);
    }

    [Fact]
    public void Bad_input_of_each_kind_exits_2_naming_the_file_and_where()
    {
        var broken = TestCorpora.JsonLines(_dir, "broken.jsonl.gz", new[] { "{\"text\": \"a\"}", "{\"text\": \"b\"}", "{\"text\": " });
        var jsonl = Run("  source: jsonl\n  paths: [broken.jsonl.gz]\n");
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", jsonl), $"error: {jsonl}:8:3: data.paths: {broken}:3: not valid JSON");
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", jsonl, "--set", "data.field=body"), $"--set data.field=body: data.field: {broken}:1: no field 'body' (the line has text)");

        var shard = TestCorpora.Parquet(_dir, "shard.parquet", new[] { new string?[] { "x", "y" } });
        var parquet = Run("  source: parquet\n  paths: [shard.parquet]\n  field: id\n", "parquet.yaml");
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", parquet), $"error: {parquet}:9:3: data.field: column 'id' of '{shard}' holds Int64, not text");
        var empty = TestCorpora.Parquet(_dir, "empty.parquet", Array.Empty<string?[]>());
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", parquet, "--set", "data.paths=[empty.parquet]", "--set", "data.field=text"),
            $"data.paths: '{empty}' has no rows (an empty shard)");

        var train = TestCorpora.Tokens(_dir, "train.bin", Enumerable.Range(0, 100));
        var validation = TestCorpora.Tokens(_dir, "val.bin", Enumerable.Range(0, 100));
        var tokens = Run("  source: tokens\n  paths: [.]\n  vocab_size: 100\n  tokenizer: none\n", "tokens.yaml");
        File.AppendAllText(validation, "x");
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", tokens), $"error: {tokens}:8:3: data.paths: token file '{validation}' has 201 bytes, not a whole number of 2-byte ids");
        TestCorpora.Tokens(_dir, "val.bin", Enumerable.Range(0, 100));
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", tokens, "--set", "data.vocab_size=50"),
            $"error: --set data.vocab_size=50: data.vocab_size: token file '{train}' holds id 50 at token 50, at or above data.vocab_size = 50");
    }

    [Fact]
    public void Training_on_a_file_without_blank_lines_works_and_says_how_it_was_split()
    {
        TestCorpora.Sentences(_dir, 2000);
        var r = Repo.AblateIn(_dir, "train", Repo.Path("experiments", "tiny.yaml"), "--out", Path.Combine(_dir, "run"),
            "--set", "data.source=text", "--set", "data.paths=[verses.txt]", "--set", "train.steps=2", "--set", "train.warmup_steps=1", "--set", "train.eval_every=2",
            "--set", "train.eval_batches=2", "--set", "train.final_eval_batches=2", "--set", "train.context=32");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        Assert.Contains("documents of whole lines (its paragraphs were too few to hold one out)", r.Stdout);
        Assert.Matches("; validation: [^;]+; [0-9,]+ train and [0-9,]+ validation tokens", r.Stdout);
        Assert.Contains("step 2/2", r.Stdout);
    }
}
