using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Config;

/// <summary>The keys of the corpus sources: each refused where it does not apply, naming the line and what is allowed.</summary>
public class DataConfigTests
{
    const string Model = "model:\n  vocab_size: 200000\n";

    static ConfigException Fails(string data) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(Model + "data:\n" + data, "run.yaml", requiredSection: "model"));

    static RunConfig Loads(string data) => ConfigLoader.Parse<RunConfig>(Model + "data:\n" + data, "run.yaml", requiredSection: "model");

    [Fact]
    public void Each_source_binds_its_keys()
    {
        var jsonl = Loads("  source: jsonl\n  paths: [\"shards/*.jsonl.gz\"]\n  field: content\n  bad_lines: skip\n  split: tail\n").Data;
        Assert.Equal((DataSource.Jsonl, "content", BadLines.Skip, DataSplit.Tail), (jsonl.Source, jsonl.TextField, jsonl.BadLines, jsonl.Split));
        var parquet = Loads("  source: parquet\n  paths: [\"train-*.parquet\"]\n").Data;
        Assert.Equal("text", parquet.TextField);
        var tokens = Loads("  source: tokens\n  paths: [data/openwebtext]\n  vocab_size: 50257\n  tokenizer: gpt2\n").Data;
        Assert.Equal((50257, (TokenDtype?)null), (tokens.VocabSize, tokens.TokenDtype));
        var wide = Loads("  source: tokens\n  paths: [ids]\n  vocab_size: 100277\n  token_dtype: uint32\n  tokenizer: none\n").Data;
        Assert.Equal(TokenDtype.Uint32, wide.TokenDtype);
    }

    [Theory]
    [InlineData("  source: tokens\n  vocab_size: 65\n  tokenizer: none\n", "data.paths", 3, "source: tokens needs paths: a folder holding train.bin and val.bin")]
    [InlineData("  source: jsonl\n", "data.paths", 3, "source: jsonl needs paths (files or globs)")]
    [InlineData("  source: text\n  paths: [a.txt]\n  field: body\n", "data.field", 6, "applies only to source: jsonl | parquet (this source is text)")]
    [InlineData("  source: parquet\n  paths: [a.parquet]\n  bad_lines: skip\n", "data.bad_lines", 6, "applies only to source: jsonl (this source is parquet)")]
    [InlineData("  source: tokens\n  paths: [d]\n  tokenizer: none\n", "data.vocab_size", 3, "source: tokens needs vocab_size, the number of token ids")]
    [InlineData("  source: tokens\n  paths: [d]\n  vocab_size: 70000\n  tokenizer: none\n", "data.token_dtype", 3, "uint16 holds ids below 65,536 but vocab_size is 70,000; set token_dtype: uint32")]
    [InlineData("  source: tokens\n  paths: [d]\n  vocab_size: 50257\n", "data.tokenizer", 3, "the byte tokenizer has 256 ids but vocab_size is 50,257")]
    [InlineData("  source: tokens\n  paths: [d]\n  vocab_size: 50257\n  tokenizer: gpt2\n  split: tail\n", "data.split", 8, "token files are split by their train.bin and val.bin")]
    [InlineData("  source: text\n  paths: [a.txt]\n  tokenizer: none\n", "data.tokenizer", 6, "source: text needs a tokenizer: byte | gpt2")]
    [InlineData("  source: markov\n  vocab_size: 16\n", "data.vocab_size", 5, "applies only to source: tokens (this source is markov")]
    [InlineData("  source: dotnet_docs\n  token_dtype: uint32\n", "data.token_dtype", 5, "applies only to source: tokens")]
    [InlineData("  source: tokens\n  paths: [d]\n  vocab_size: 65\n  tokenizer: none\n  max_bytes: 1000\n", "data.max_bytes", 8, "token files are used whole")]
    public void A_key_where_it_does_not_apply_is_refused_at_its_line(string data, string key, int line, string message)
    {
        var e = Fails(data);
        Assert.Equal((key, line), (e.Key, e.Line));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Token_ids_must_fit_the_model()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(
            "model:\n  vocab_size: 256\ndata:\n  source: tokens\n  paths: [d]\n  vocab_size: 50257\n  tokenizer: gpt2\n", "run.yaml"));
        Assert.Equal("model.vocab_size", e.Key);
        Assert.Contains("256 is smaller than data.vocab_size = 50257", e.Message);
    }
}
