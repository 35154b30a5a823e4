using Ablations.Training;

using Ablations.Model.Attention;

namespace Ablations.Tests.Cli;

public class TrainCommandTests
{
    [Fact]
    public void Train_with_dotted_overrides_writes_a_run_and_generate_reads_it()
    {
        var folder = TinyRuns.TempFolder("cli-train-");
        var r = Repo.Ablate("train", Repo.Path("experiments", "tiny.yaml"), "--out", folder,
            "--set", "train.steps=6", "--set", "train.lr=3e-3", "--set", "model.n_kv_heads=1", "--set", "train.eval_every=3",
            "--set", "data.max_bytes=500000", "--set", "train.context=32");
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        Assert.Contains("step 6/6", r.Stdout);                  // plain lines when not on a terminal
        var config = new RunFolder(folder).ReadConfig();
        Assert.Equal(1, ((GroupedAttentionConfig)config.Model.Attention).ResolvedNKvHeads);
        Assert.Equal(3e-3, config.Train.Lr);
        Assert.Equal(6, RunSummary.Read(folder)!.Steps);

        var g = Repo.Ablate("generate", "--checkpoint", folder, "--prompt", "Gets ", "--max-tokens", "20", "--temperature", "0");
        Assert.True(g.ExitCode == 0, g.Stderr);
        Assert.StartsWith("Gets ", g.Stdout);
    }

    [Fact]
    public void Bad_data_exits_2_with_a_message()
    {
        var folder = TinyRuns.TempFolder("cli-bad-");
        var r = Repo.Ablate("train", Repo.Path("experiments", "tiny.yaml"), "--out", folder,
            "--set", "data.source=text", "--set", "data.paths=[missing.txt]");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("missing.txt", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Generate_from_a_folder_without_a_run_exits_2()
    {
        var r = Repo.Ablate("generate", "--checkpoint", TinyRuns.TempFolder("empty-run-"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("config.yaml is missing", r.Stderr);
    }
}
