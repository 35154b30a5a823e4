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
            "--set", "train.steps=6", "--set", "train.warmup_steps=2", "--set", "train.lr=3e-3", "--set", "model.n_kv_heads=1", "--set", "train.eval_every=3",
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
    public void Two_runs_on_two_threads_are_identical_to_the_bit()
    {
        // Separate processes, as a rerun would be: every step's loss and gradient norm must repeat exactly.
        string Metrics()
        {
            var folder = TinyRuns.TempFolder("cli-det-");
            var r = Repo.Ablate("train", Repo.Path("experiments", "tiny.yaml"), "--out", folder, "--threads", "2",
                "--set", "train.steps=5", "--set", "train.warmup_steps=2", "--set", "train.eval_every=5", "--set", "data.max_bytes=500000", "--set", "train.context=64");
            Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
            return string.Join("\n", MetricsFile.Read(Path.Combine(folder, "metrics.csv")).Select(m => $"{m.Step} {m.TrainLoss:R} {m.GradNorm:R} {m.ValLoss:R}"));
        }
        Assert.Equal(Metrics(), Metrics());
    }

    [Fact]
    public void A_folder_that_cannot_be_written_exits_2_naming_it()
    {
        // /sys refuses new entries even to root, as a read-only results folder refuses an ordinary user.
        var r = Repo.Ablate("train", Repo.Path("experiments", "tiny.yaml"), "--out", "/sys/ablations-cannot-write/run");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/sys/ablations-cannot-write", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.DoesNotContain("Exception", r.Stderr);
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
