using System.Diagnostics;
using Ablations.Tests.Experiments;
using Ablations.Training;

namespace Ablations.Tests.Cli;

public class RunCommandTests
{
    // Four runs of 40 steps each, so that a kill lands in the middle of the experiment.
    static string Experiment(string dir) => TinyExperiment.Write(dir,
        TinyExperiment.Yaml.Replace("smoke: { train.steps: 6 }", "smoke: { train.steps: 40, train.checkpoint_every: 10, train.eval_every: 20 }"));

    static string FinalLosses(string folder) => string.Join("\n",
        Directory.GetFiles(folder, "summary.json", SearchOption.AllDirectories).Order()
            .Select(f => $"{Path.GetRelativePath(folder, f)} {RunSummary.Read(Path.GetDirectoryName(f)!)!.FinalValLoss:R}"));

    [Fact]
    public void Killed_run_finishes_on_rerun_with_the_numbers_of_an_uninterrupted_one_and_a_second_run_waits_its_turn()
    {
        var dir = TinyRuns.TempFolder("cli-run-");
        var file = Experiment(dir);
        var straight = Repo.Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(dir, "straight"), "--no-report");
        Assert.True(straight.ExitCode == 0, straight.Stderr + straight.Stdout);

        var killedRoot = Path.Combine(dir, "killed");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ablate.dll"), "run", file, "--scale", "smoke", "--results", killedRoot, "--no-report" })
            start.ArgumentList.Add(a);
        using (var process = Process.Start(start)!)
        {
            var second = Path.Combine(killedRoot, "tiny-exp.smoke", "pre", "seed-1", "checkpoint", "state.json");
            var watch = Stopwatch.StartNew();
            while (!File.Exists(second) && !process.HasExited && watch.Elapsed < TimeSpan.FromSeconds(90)) Thread.Sleep(50);
            Assert.False(process.HasExited, "the experiment finished before it could be killed");

            var busy = Repo.Ablate("run", file, "--scale", "smoke", "--results", killedRoot, "--no-report");
            Assert.Equal(3, busy.ExitCode);
            Assert.Contains("another `ablate run`", busy.Stderr);

            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        Assert.True(Directory.GetFiles(killedRoot, "summary.json", SearchOption.AllDirectories).Length < 4);

        var rerun = Repo.Ablate("run", file, "--scale", "smoke", "--results", killedRoot);
        Assert.True(rerun.ExitCode == 0, rerun.Stderr + rerun.Stdout);
        Assert.Contains("already complete", rerun.Stdout);
        Assert.Equal(FinalLosses(Path.Combine(dir, "straight", "tiny-exp.smoke")), FinalLosses(Path.Combine(killedRoot, "tiny-exp.smoke")));
        Assert.True(File.Exists(Path.Combine(killedRoot, "tiny-exp.smoke", "table.md")));
        Assert.True(File.Exists(Path.Combine(killedRoot, "tiny-exp.smoke", "plots", "loss_val.png")));
    }

    [Fact]
    public void Killing_only_the_parent_of_a_jobs_run_stops_its_trainers_and_the_rerun_leaves_no_gaps()
    {
        var dir = TinyRuns.TempFolder("cli-orphans-");
        var file = TinyExperiment.Write(dir, TinyExperiment.Yaml.Replace("smoke: { train.steps: 6 }",
            "smoke: { train.steps: 2000, train.checkpoint_every: 50, train.eval_every: 1000, train.log_every: 100 }"));
        var root = Path.Combine(dir, "r");
        var experiment = Path.Combine(root, "tiny-exp.smoke");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ablate.dll"), "run", file, "--scale", "smoke", "--results", root, "--jobs", "2", "--no-report" })
            start.ArgumentList.Add(a);
        var runs = new[] { Path.Combine(experiment, "pre", "seed-0"), Path.Combine(experiment, "pre", "seed-1") };
        var trainers = new List<int>();
        using (var parent = Process.Start(start)!)
        {
            int Rows(string run) => File.Exists(Path.Combine(run, "metrics.csv")) ? MetricsFile.Read(Path.Combine(run, "metrics.csv")).Count : 0;
            var watch = Stopwatch.StartNew();
            while (runs.Any(r => Rows(r) < 30) && !parent.HasExited && watch.Elapsed < TimeSpan.FromSeconds(120)) Thread.Sleep(50);
            Assert.False(parent.HasExited, "the experiment ended before its parent could be killed");
            trainers.AddRange(runs.Select(r => Common.FolderLock.HolderProcess(r) ?? -1));
            Assert.DoesNotContain(-1, trainers);
            Assert.DoesNotContain(parent.Id, trainers);
            parent.Kill(entireProcessTree: false);   // only the parent: its trainers must notice and stop
            parent.WaitForExit();
        }
        static bool Alive(int pid)
        {
            try { return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1][0] != 'Z'; }   // a zombie has exited
            catch (IOException) { return false; }
        }
        var stopWatch = Stopwatch.StartNew();
        while (trainers.Any(Alive) && stopWatch.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(100);   // an orphan would train for longer
        Assert.False(trainers.Any(Alive), $"trainers {string.Join(", ", trainers.Where(Alive))} outlived their parent");
        foreach (var run in runs)
            Assert.Contains("saving a checkpoint and stopping", File.ReadAllText(Path.Combine(run, "train.log")));

        // The rest of two 2000-step runs: minutes when other work shares the cores, so a longer limit than usual.
        var rerun = Repo.AblateWith(Repo.Root, new Dictionary<string, string?>(), TimeSpan.FromMinutes(6), "run", file, "--scale", "smoke", "--results", root, "--jobs", "2", "--no-report");
        Assert.True(rerun.ExitCode == 0, rerun.Stderr + rerun.Stdout);
        foreach (var metrics in Directory.GetFiles(experiment, "metrics.csv", SearchOption.AllDirectories)
                     .Where(f => !Path.GetFileName(Path.GetDirectoryName(f))!.StartsWith("checkpoint")))   // not the checkpoints' copies
            Assert.Equal(Enumerable.Range(1, 2000), MetricsFile.Read(metrics).Select(r => r.Step));
    }

    [Fact]
    public void Jobs_run_as_separate_processes_and_give_the_same_numbers()
    {
        var dir = TinyRuns.TempFolder("cli-jobs-");
        var file = TinyExperiment.Write(dir);
        var one = Repo.Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(dir, "one"), "--no-report");
        var two = Repo.Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(dir, "two"), "--jobs", "2", "--no-report");
        Assert.True(two.ExitCode == 0, two.Stderr + two.Stdout);
        Assert.Contains("with 2 jobs", two.Stdout);
        Assert.True(File.Exists(Path.Combine(dir, "two", "tiny-exp.smoke", "post", "seed-1", "train.log")));
        Assert.Equal(FinalLosses(Path.Combine(dir, "one", "tiny-exp.smoke")), FinalLosses(Path.Combine(dir, "two", "tiny-exp.smoke")));
    }

    [Fact]
    public void Bad_experiment_file_exits_2()
    {
        var dir = TinyRuns.TempFolder("cli-badexp-");
        var file = TinyExperiment.Write(dir, TinyExperiment.Yaml.Replace("- name: post", "- name: pre"));
        var r = Repo.Ablate("run", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("duplicate variant name", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Table_command_prints_the_requested_format()
    {
        var dir = TinyRuns.TempFolder("cli-table-");
        var file = TinyExperiment.Write(dir);
        Assert.Equal(0, Repo.Ablate("run", file, "--scale", "smoke", "--results", dir, "--no-report").ExitCode);
        var r = Repo.Ablate("table", Path.Combine(dir, "tiny-exp.smoke"), "--format", "latex");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("\\begin{tabular}", r.Stdout);
        Assert.Equal(2, Repo.Ablate("table", Path.Combine(dir, "nothing-here")).ExitCode);
    }
}
