namespace Ablations.Tests.Cli;

/// <summary>
/// Bad run files and the errors found only when their data is read or their model sized: each is one line naming
/// the file and the line of the key it concerns (or the --set that wrote it), exit code 2, before any training.
/// </summary>
public class RunFileErrorTests : IDisposable
{
    readonly string _dir = TinyRuns.TempFolder("run-file-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    string Out => Path.Combine(_dir, "out");

    public static IEnumerable<object[]> Commands() => new[] { new object[] { "train" }, new object[] { "inspect" }, new object[] { "data info" } };

    string[] Args(string command, string file, params string[] more) =>
        command.Split(' ').Append(file).Concat(command == "train" ? new[] { "--out", Out } : Array.Empty<string>()).Concat(more).ToArray();

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_file_without_a_model_section_is_refused(string command)
    {
        foreach (var text in new[] { "", "# only a comment\n", "data:\n  source: markov\n" })
        {
            var file = Write("nomodel.yaml", text);
            var r = Repo.Ablate(Args(command, file));
            BadInput.Line(r, $"error: {file}: has no 'model:' section");
            Assert.Equal("", r.Stdout);
        }
        Assert.False(Directory.Exists(Out));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Not_a_number_is_refused_naming_the_set_that_wrote_it(string command)
    {
        foreach (var set in new[] { "train.lr=nan", "train.lr=Infinity", "model.init_std=NaN", "model.dropout=nan", "model.norm.eps=nan" })
            BadInput.Line(Repo.Ablate(Args(command, Repo.Path("experiments", "tiny.yaml"), "--set", set)),
                $"error: --set {set}: {set.Split('=')[0]}: must be a finite number, got");
        Assert.False(Directory.Exists(Out));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_layer_count_beyond_its_bound_is_refused_at_once(string command) =>
        BadInput.Line(Repo.Ablate(Args(command, Repo.Path("experiments", "tiny.yaml"), "--set", "model.n_layers=2000000000")),
            "model.n_layers: must be at most 1,000,000, got 2,000,000,000");

    [Fact]
    public void A_million_layers_inspect_at_once()
    {
        var r = Repo.Ablate("inspect", Repo.Path("experiments", "tiny.yaml"), "--set", "model.n_layers=1000000", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var json = System.Text.Json.JsonDocument.Parse(r.Stdout);
        Assert.Equal(1_000_000, json.RootElement.GetProperty("layers").GetInt32());
        // tiny.yaml: a tied 256 x 128 embedding, a final norm of 128, and 181,504 parameters per layer.
        Assert.Equal(256L * 128 + 128 + 1_000_000L * 181_504, json.RootElement.GetProperty("parameters_total").GetInt64());
    }

    [Fact]
    public void A_model_too_wide_for_memory_names_its_width_not_the_batch()
    {
        var line = BadInput.Line(Repo.Ablate("train", Repo.Path("experiments", "tiny.yaml"), "--out", Out, "--set", "model.d_model=1048576"),
            "error: --set model.d_model=1048576: model.d_model: training needs about", "one layer alone holds", "lower model.d_model");
        Assert.DoesNotContain("batch_size", line);
    }

    [Fact]
    public void A_batch_too_big_for_memory_is_placed_at_its_line()
    {
        var file = Write("big.yaml", "model:\n  d_model: 64\ntrain:\n  batch_size: 100000000\n");
        BadInput.Line(Repo.Ablate("train", file, "--out", Out), $"error: {file}:4:3: train.batch_size: training needs about", "lower train.batch_size");
    }

    [Fact]
    public void An_out_folder_that_is_a_file_is_refused()
    {
        var file = Write("not-a-folder", "x");
        BadInput.Line(Repo.Ablate("train", Repo.Path("experiments", "tiny.yaml"), "--out", file), $"error: --out: '{file}' is a file");
        BadInput.Line(Repo.Ablate("train", Repo.Path("experiments", "tiny.yaml"), "--out", Path.Combine(file, "run")), $"error: --out: '{file}' is a file");
    }

    /// <summary>A run on the user's text files, the second of which is not text.</summary>
    string TextRun()
    {
        Write("notes.txt", "some words\n\nmore words\n");
        File.WriteAllBytes(Path.Combine(_dir, "blob.bin"), new byte[] { 0xff, 0xfe, 0xc3, 0x28 });
        return Write("text.yaml", "# my corpus\nmodel:\n  d_model: 64\ndata:\n  source: text\n  paths:\n    - notes.txt\n    - blob.bin\n");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("data info")]
    public void Data_that_cannot_be_read_is_placed_at_the_line_of_its_key(string command)
    {
        var file = TextRun();
        BadInput.Line(Repo.AblateIn(_dir, Args(command, file)), $"error: {file}:6:3: data.paths: {Path.Combine(_dir, "blob.bin")}:1: not valid UTF-8 text (byte 1 of the line)");
    }

    [Fact]
    public void A_missing_file_is_placed_at_its_item_and_an_empty_corpus_at_its_key()
    {
        var file = Write("missing.yaml", "model:\n  d_model: 64\ndata:\n  source: text\n  paths: [notes.txt, gone.txt]\n");
        Write("notes.txt", "");
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", file), $"error: {file}:5:22: data.paths[1]: file 'gone.txt' not found");
        File.WriteAllText(file, "model:\n  d_model: 64\ndata:\n  source: text\n  paths: [notes.txt]\n");
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", file), $"error: {file}:5:3: data.paths: the text corpus is empty");
        BadInput.Line(Repo.AblateIn(_dir, "data", "info", file, "--set", "data.paths=[gone.txt]"),
            "error: --set data.paths=[gone.txt]: data.paths[0]: file 'gone.txt' not found");
    }
}
