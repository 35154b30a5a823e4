using System.Diagnostics;
using System.Text.RegularExpressions;
using Ablations.Cluster;
using Ablations.Experiments;
using Ablations.Tests.Experiments;
using Ablations.Training;

namespace Ablations.Tests.Cluster;

/// <summary>
/// Experiments submitted to a real Slurm cluster (<see cref="SlurmCluster.Require"/> starts one on this machine) as job
/// arrays give the numbers of a local run to the bit, through a tuned experiment's two phases, a cancelled task and
/// a resubmission, and a task that checkpoints at its time-limit warning, requeues itself and resumes.
/// </summary>
public sealed class SlurmArrayTests : IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
    readonly string _dir = TinyRuns.TempFolder("slurm-");

    /// <summary>Two runs (the pre-norm variant's seeds) of 1000 steps with a checkpoint every 50: long enough to interrupt.</summary>
    static string LongExperiment(string dir) => TinyExperiment.Write(dir, TinyExperiment.Yaml.Replace("smoke: { train.steps: 6 }",
        "smoke: { train.steps: 1000, train.checkpoint_every: 50, train.eval_every: 500, train.log_every: 100 }"));

    static readonly string[] LongRuns = { "pre/seed-0", "pre/seed-1" };

    /// <summary>The long experiment trained locally once, for the tests that interrupt it on the cluster to compare with.</summary>
    static readonly Lazy<string> LongReference = new(() =>
    {
        var dir = TinyRuns.TempFolder("slurm-reference-");
        var local = Repo.Ablate("run", LongExperiment(dir), "--scale", "smoke", "--only", "pre", "--results", dir, "--jobs", "2", "--no-report");
        Assert.True(local.ExitCode == 0, local.Stderr + local.Stdout);
        return Path.Combine(dir, "tiny-exp.smoke");
    });

    public void Dispose() => SlurmCluster.CancelUnder(_dir);

    /// <summary>`ablate` in the repository root (where the experiment files' relative paths resolve), given up to five minutes.</summary>
    static Repo.Result Ablate(params string[] args) => Repo.AblateWith(Repo.Root, new Dictionary<string, string?>(), Patience, args);

    /// <summary>Every run's losses, to the bit: each training step's loss and the final validation loss, by run folder.</summary>
    static string Numbers(string experiment) => string.Join("\n",
        Directory.GetFiles(experiment, "summary.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(summary =>
        {
            var run = Path.GetDirectoryName(summary)!;
            var losses = MetricsFile.Read(Path.Combine(run, "metrics.csv")).Select(r => $"{r.Step}:{r.TrainLoss:R}");
            return $"{Path.GetRelativePath(experiment, run)} val {RunSummary.Read(run)!.FinalValLoss:R} train {string.Join(' ', losses)}";
        }));

    static string ArrayJob(string stdout) => Regex.Match(stdout, @"submitted array job (\d+)").Groups[1].Value;

    static void WaitFor(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition()) { Assert.True(watch.Elapsed < Patience, $"timed out waiting for {what}"); Thread.Sleep(50); }
    }

    [Fact]
    public void An_experiment_file_at_smoke_scale_run_as_an_array_gives_a_local_runs_results_to_the_bit()
    {
        SlurmCluster.Require();
        var file = Repo.Path("experiments", "quick.yaml");
        // One thread per run on both sides: --jobs with one job per core locally, one CPU per task on the cluster.
        var local = Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(_dir, "local"), "--jobs", Environment.ProcessorCount.ToString(), "--no-report");
        Assert.True(local.ExitCode == 0, local.Stderr + local.Stdout);

        var cluster = Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(_dir, "cluster"), "--launcher", "slurm", "--cpus-per-task", "1", "--wait");
        Assert.True(cluster.ExitCode == 0, cluster.Stderr + cluster.Stdout);
        Assert.Contains("submitted array job", cluster.Stdout);
        Assert.Contains("6/6 done, 0 running, 0 pending, 0 failed", cluster.Stdout);
        Assert.Contains($"warning: the results folder {_dir}/cluster is under /tmp", cluster.Stderr);

        var experiment = Path.Combine(_dir, "cluster", "quick.smoke");
        Assert.Equal(Numbers(Path.Combine(_dir, "local", "quick.smoke")), Numbers(experiment));
        Assert.Equal(6, File.ReadAllLines(SlurmTaskList.PathIn(experiment)).Length);
        Assert.Contains("#SBATCH --array=0-5", File.ReadAllText(Path.Combine(experiment, "slurm", "array.sh")));
        Assert.True(File.Exists(Path.Combine(experiment, "table.md")));
        Assert.True(File.Exists(Path.Combine(experiment, "slurm", "logs", $"{ArrayJob(cluster.Stdout)}_5.out")));

        var status = Ablate("status", experiment);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("6 runs: 6 done, 0 running, 0 pending, 0 failed", status.Stdout);
        var again = Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(_dir, "cluster"), "--launcher", "slurm", "--no-report");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("all 6 runs are complete", again.Stdout);
        Assert.DoesNotContain("submitted", again.Stdout);
    }

    [Fact]
    public void An_unknown_partition_is_refused_naming_the_cluster_s_partitions()
    {
        SlurmCluster.Require();
        var r = Ablate("run", TinyExperiment.Write(_dir), "--scale", "smoke", "--results", _dir, "--launcher", "slurm", "--partition", "no-such-partition");
        var line = Cli.BadInput.Line(r, "--partition: Slurm has no partition 'no-such-partition'; partitions: ");
        Assert.DoesNotContain("tiny-exp.smoke", string.Join(' ', Directory.GetDirectories(_dir)));   // refused before anything was written
    }

    [Fact]
    public void A_tuned_experiment_runs_its_grid_then_its_seeds_at_each_best_as_two_arrays_and_chooses_as_a_local_run_does()
    {
        SlurmCluster.Require();
        var file = TinyExperiment.Write(_dir, TinyExperiment.Yaml.Replace("seeds: [0, 1]", "seeds: [0, 1]\ntune: { values: [1.0e-3, 1.0e-2], seeds: 1 }")
            .Replace("smoke: { train.steps: 6 }", "smoke: { train.steps: 20 }"));
        var local = Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(_dir, "local"), "--no-report");
        Assert.True(local.ExitCode == 0, local.Stderr + local.Stdout);

        var cluster = Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(_dir, "cluster"), "--launcher", "slurm", "--wait");
        Assert.True(cluster.ExitCode == 0, cluster.Stderr + cluster.Stdout);
        var experiment = Path.Combine(_dir, "cluster", "tiny-exp.smoke");
        var submissions = SlurmJobLog.Read(experiment)!.Submissions;
        Assert.Equal(new[] { ("runs", 4), ("seeds", 2) }, submissions.Select(s => (s.Phase, s.Tasks.Count)));   // the follow-up job submitted the second
        Assert.Equal(ExperimentManifest.Read(Path.Combine(_dir, "local", "tiny-exp.smoke"))!.Best, ExperimentManifest.Read(experiment)!.Best);
        Assert.Equal(Numbers(Path.Combine(_dir, "local", "tiny-exp.smoke")), Numbers(experiment));
        Assert.Contains("(best)", File.ReadAllText(Path.Combine(experiment, "table.md")));
    }

    [Fact]
    public void Ctrl_C_stops_waiting_not_the_jobs_and_a_cancelled_task_resumes_on_resubmission_with_the_numbers_of_an_uninterrupted_run()
    {
        SlurmCluster.Require();
        var file = LongExperiment(_dir);
        // One task at a time, the second held in the queue while the first is cancelled and the refusals are checked.
        var args = new[] { "run", file, "--scale", "smoke", "--only", "pre", "--results", _dir, "--launcher", "slurm", "--array-parallelism", "1", "--wait", "--no-report" };
        var experiment = Path.Combine(_dir, "tiny-exp.smoke");
        var first = Path.Combine(experiment, LongRuns[0]);
        string job;
        using (var waiting = Process.Start(Repo.AblateStart(Repo.Root, new Dictionary<string, string?>(), args))!)
        {
            var stdout = new System.Text.StringBuilder();
            waiting.OutputDataReceived += (_, e) => { lock (stdout) stdout.AppendLine(e.Data); };
            waiting.BeginOutputReadLine();
            WaitFor(() => File.Exists(Path.Combine(first, "checkpoint", "state.json")), "the first checkpoint");
            lock (stdout) job = ArrayJob(stdout.ToString());
            Process.Start("kill", $"-INT {waiting.Id}")!.WaitForExit();
            foreach (var command in new[] { new[] { "scontrol", "hold", $"{job}_1" }, new[] { "scancel", $"{job}_0" } })
            {
                var (code, output) = SlurmCluster.Command(command[0], command[1..]);
                Assert.True(code == 0, output);
            }
            Assert.True(waiting.WaitForExit(60_000), "Ctrl-C did not stop the waiting");   // at once; 60 s leaves room for a machine busy with the other tests
            Assert.Equal(130, waiting.ExitCode);
            lock (stdout) Assert.Contains("stopped waiting; the jobs go on", stdout.ToString());
        }
        var name = SlurmJobLog.Read(experiment)!.JobName;
        Assert.Contains($"{job}_1", SlurmCluster.Active(name));                 // the jobs outlived the waiting

        // While they are queued, neither a local run nor a second submission of the experiment may start.
        var local = Ablate("run", file, "--scale", "smoke", "--only", "pre", "--results", _dir, "--no-report");
        Assert.Equal(3, local.ExitCode);
        Assert.Contains($"Slurm jobs of this experiment are still queued or running", local.Stderr);
        Assert.Contains($"scancel --name={name}", local.Stderr);
        Assert.Equal(3, Ablate(args).ExitCode);

        Assert.Equal(0, SlurmCluster.Command("scontrol", "release", $"{job}_1").Code);
        SlurmCluster.WaitUntilDone(name, Patience);                             // the second task ends; the follow-up is cancelled with the array
        Assert.Contains("interrupted: checkpoint saved after step", File.ReadAllText(Path.Combine(first, "train.log")));
        Assert.False(File.Exists(Path.Combine(first, "summary.json")));
        var status = Ablate("status", experiment);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Contains("2 runs: 1 done, 0 running, 0 pending, 1 failed", status.Stdout);
        Assert.Matches($@"pre/seed-0 +failed +\d+/1000 steps +task {job}_0 CANCELLED", status.Stdout);
        Assert.Contains($"log: {experiment}/slurm/logs/{job}_0.out; train log: {first}/train.log", status.Stdout);

        var resubmit = Ablate(args);
        Assert.True(resubmit.ExitCode == 0, resubmit.Stderr + resubmit.Stdout);
        Assert.Contains("for 1 of 2 runs (1 complete)", resubmit.Stdout);
        Assert.Matches(@"resuming after step \d+", File.ReadAllText(Path.Combine(first, "train.log")));
        Assert.Equal(Numbers(LongReference.Value), Numbers(experiment));
    }

    [Fact]
    public void A_task_warned_before_its_time_limit_checkpoints_requeues_itself_and_resumes_with_the_losses_of_an_uninterrupted_run()
    {
        SlurmCluster.Require();
        var submit = Ablate("run", LongExperiment(_dir), "--scale", "smoke", "--only", "pre", "--results", _dir, "--launcher", "slurm", "--time", "00:30:00", "--no-report");
        Assert.True(submit.ExitCode == 0, submit.Stderr + submit.Stdout);
        var experiment = Path.Combine(_dir, "tiny-exp.smoke");
        var first = Path.Combine(experiment, LongRuns[0]);
        var job = ArrayJob(submit.Stdout);
        Assert.Contains("#SBATCH --signal=B:USR1@180", File.ReadAllText(Path.Combine(experiment, "slurm", "array.sh")));

        WaitFor(() => File.Exists(Path.Combine(first, "checkpoint", "state.json")), "the first checkpoint");
        // What Slurm sends the batch shell 180 s before the limit (--signal=B:USR1@180), sent now.
        var (code, output) = SlurmCluster.Command("scancel", "--batch", "--signal=USR1", $"{job}_0");
        Assert.True(code == 0, output);
        SlurmCluster.WaitUntilDone(SlurmJobLog.Read(experiment)!.JobName, Patience);

        var log = File.ReadAllText(Path.Combine(experiment, "slurm", "logs", $"{job}_0.out"));
        Assert.Contains($"requeueing {job}_0 to resume on a later allocation", log);
        Assert.Contains($"task {job}_0 (restart 1)", log);
        var trainLog = File.ReadAllText(Path.Combine(first, "train.log"));
        var saved = Regex.Match(trainLog, @"interrupted: checkpoint saved after step (\d+)").Groups[1].Value;
        Assert.True(int.Parse(saved) is > 0 and < 1000, trainLog);
        Assert.Contains($"resuming after step {saved}", trainLog);            // from the checkpoint, not from scratch
        Assert.Equal(Numbers(LongReference.Value), Numbers(experiment));
        // A requeued task that then succeeds counts as success: the follow-up job ran and found the experiment complete.
        var followUp = SlurmJobLog.Read(experiment)!.Submissions.Single().FollowUpJob;
        Assert.Contains("all 2 runs are complete", File.ReadAllText(Path.Combine(experiment, "slurm", "logs", $"next-{followUp}.out")));
        Assert.Contains("2 runs: 2 done", Ablate("status", experiment).Stdout);
    }

    [Fact]
    public void An_experiment_in_folders_named_with_quotes_dollars_and_backticks_runs_its_tasks_and_nothing_else()
    {
        SlurmCluster.Require();
        var file = TinyExperiment.Write(_dir);
        // The working folder may hold a newline too: the scripts enter it from a quoted word, not an #SBATCH line.
        var work = Directory.CreateDirectory(Path.Combine(_dir, "work\n$(touch marker)")).FullName;
        Repo.Result Submit(string results, params string[] more) =>
            Repo.AblateWith(work, new Dictionary<string, string?>(), Patience, new[]
            {
                "run", file, "--scale", "smoke", "--only", "pre", "--results", results, "--launcher", "slurm",
            }.Concat(more).ToArray());

        // A newline in the results folder is refused: it would be one in #SBATCH lines.
        var newline = Path.Combine(_dir, "r\n$(touch marker)\n#");
        Cli.BadInput.Line(Submit(newline),
            $"--results: the results folder {Shell.Quote(newline)} holds a newline, which an #SBATCH line cannot");
        Assert.False(Directory.Exists(newline), "nothing is written before the refusal");

        var results = Path.Combine(_dir, "r 'q' \"d\" $(touch marker) `touch marker` #1 %A_%a é");
        var run = Submit(results, "--wait");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        Assert.Contains("2/2 done, 0 running, 0 pending, 0 failed", run.Stdout);
        var experiment = Path.Combine(results, "tiny-exp.smoke");
        var logs = Path.Combine(experiment, "slurm", "logs");
        var job = ArrayJob(run.Stdout);
        // '%' in the folder reached Slurm's log pattern as text: the logs are where status reads them.
        foreach (var task in new[] { 0, 1 })
            Assert.Contains($"ablate: task {job}_{task} ended with exit code 0",
                File.ReadAllText(Path.Combine(logs, $"{job}_{task}.out")));
        Assert.True(File.Exists(Path.Combine(experiment, "table.md")));
        var followUp = SlurmJobLog.Read(experiment)!.Submissions.Single().FollowUpJob;
        Assert.Contains("all 2 runs are complete", File.ReadAllText(Path.Combine(logs, $"next-{followUp}.out")));
        Assert.Empty(Directory.GetFiles(_dir, "marker", SearchOption.AllDirectories));
        Assert.False(File.Exists(Repo.Path("marker")));
    }
}
