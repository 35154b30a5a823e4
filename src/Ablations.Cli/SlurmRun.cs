using Ablations.Common;
using System.Globalization;
using Ablations.Cluster;
using Ablations.Cli.Commands;
using Ablations.Experiments;
using Ablations.Reporting;

namespace Ablations.Cli;

/// <summary>
/// `ablate run --launcher slurm`: each experiment's runs that are not complete go to Slurm as one array job, with a
/// follow-up job that continues the experiment once the array has succeeded (a tuned experiment's remaining seeds,
/// then the table and plots). The command prints the job ids and returns; with --wait it follows the jobs through the
/// run folders until none is left, then writes the table and report as a local run does.
/// </summary>
public sealed class SlurmRun
{
    public required IReadOnlyList<string> Files { get; init; }
    public required IReadOnlyList<ExperimentSpec> Specs { get; init; }
    public string? Scale { get; init; }
    public IReadOnlyList<string> Set { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string>? Only { get; init; }
    public required string Results { get; init; }
    public bool Force { get; init; }
    public bool NoReport { get; init; }
    public bool Report { get; init; }
    public bool Wait { get; init; }
    /// <summary>This is the follow-up job of an array: never resubmit a run that a submission already held.</summary>
    public bool FollowUp { get; init; }
    /// <summary>The user's options; CPUs per task are <see cref="Cpus"/> when given, else chosen per experiment.</summary>
    public required SlurmOptions Options { get; init; }
    public int? Cpus { get; init; }

    public int Execute()
    {
        Options.Check();
        // Before anything is written: the experiment folders' paths go into #SBATCH lines.
        SbatchDirectives.CheckFolder(Path.GetFullPath(Results), "--results", "the results folder");
        var slurm = SlurmClient.Find();
        if (Options.Partition != null) slurm.CheckPartition(Options.Partition);
        WarnIfLocal(Path.GetFullPath(Results), "results folder");
        WarnIfLocal(AblateProgram.Command()[^1], "ablate program");
        var submitter = new SlurmSubmitter(slurm, AblateProgram.Command(), Directory.GetCurrentDirectory());
        var folders = new List<(string Folder, bool Submitted)>();
        for (int i = 0; i < Specs.Count; i++)
        {
            var (exit, folder, submitted) = SubmitOne(slurm, submitter, Specs[i], Files[i]);
            if (exit != CliRunner.Ok) return exit;
            folders.Add((folder, submitted));
        }
        var all = folders.Select(f => f.Folder).ToList();
        if (folders.All(f => !f.Submitted)) return Finish(slurm, all, Report);
        if (Wait) return SlurmProgress.Wait(slurm, all) ? Finish(slurm, all, Report) : CliRunner.Interrupted;
        // Experiments complete already get their table now, as a local rerun gives it; the others get it from their follow-up job.
        var code = Finish(slurm, folders.Where(f => !f.Submitted).Select(f => f.Folder).ToList(), report: false);
        if (Report) Console.WriteLine("--report: run `ablate report` once the jobs have ended (or use --wait)");
        return code;
    }

    /// <summary>Submits the next phase of one experiment; returns the exit code, its folder and whether anything was submitted.</summary>
    (int Code, string Folder, bool Submitted) SubmitOne(SlurmClient slurm, SlurmSubmitter submitter, ExperimentSpec spec, string file)
    {
        var grid = spec.Expand(Scale, Set, Only);
        var runner = new ExperimentRunner(spec, Scale, Results, new ExperimentConsole());
        Console.WriteLine($"experiment {spec.Name} -> {runner.Folder}");
        var options = Options with { CpusPerTask = Cpus ?? DefaultCpus(grid) };
        try
        {
            using var _ = ExperimentLock.Acquire(runner.Folder);
            var log = SlurmJobLog.ReadOrNew(runner.Folder);
            if (slurm.ActiveJobs(log.JobName) is { Count: > 0 } active)
            {
                Console.Error.WriteLine($"error: {log.Busy(runner.Folder, active)}");
                return (CliRunner.Busy, runner.Folder, false);
            }
            var phase = runner.NextPhase(grid, best => spec.ExpandCompletion(Scale, best, Set, Only), Force);
            if (phase.Pending.Count == 0)
            {
                Console.WriteLine($"all {ExperimentManifest.Read(runner.Folder)!.Runs.Count} runs are complete");
                return (CliRunner.Ok, runner.Folder, false);
            }
            var tasks = SlurmTaskList.Read(runner.Folder);
            if (FollowUp && phase.Pending.Where(r => tasks.IndexOf(r.Folder) != null).ToList() is { Count: > 0 } again)
            {
                // A follow-up runs only after its array succeeded; runs left incomplete then are not resubmitted in a loop.
                Console.Error.WriteLine($"error: {again.Count} run(s) were submitted and are still not complete ({string.Join(", ", again.Select(r => r.Label).Take(5))}); " +
                                        "run the same `ablate run --launcher slurm` command to resubmit them");
                return (CliRunner.Failure, runner.Folder, false);
            }
            var submission = submitter.Submit(runner.Folder, phase, options, FollowUpArguments(file, options));
            var what = phase.Completion ? "remaining seeds at each variant's best" : "runs";
            Console.WriteLine($"submitted array job {submission.ArrayJob} for {phase.Pending.Count} of {phase.Runs.Count} {what}" +
                              (phase.Pending.Count < phase.Runs.Count ? $" ({phase.Runs.Count - phase.Pending.Count} complete)" : "") +
                              $": tasks {ArrayIndices.Format(submission.Tasks)}, {Units.Counted(options.CpusPerTask, "CPU")} each; " +
                              $"follow-up job {submission.FollowUpJob} continues the experiment when every task has succeeded");
            Console.WriteLine($"  script {Path.Combine(runner.Folder, "slurm", "array.sh")}, task list {SlurmTaskList.PathIn(runner.Folder)}, logs {Path.Combine(runner.Folder, "slurm", "logs")}");
            Console.WriteLine($"  status: ablate status {runner.Folder}; cancel: scancel --name={log.JobName}");
            return (CliRunner.Ok, runner.Folder, true);
        }
        catch (ExperimentBusyException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return (CliRunner.Busy, runner.Folder, false);
        }
    }

    /// <summary>
    /// The threads the runs ask for (train.threads) when they agree on a number, so a task computes as a local run
    /// of the same configuration does; else 1 (libtorch's default would take every core of a shared node).
    /// </summary>
    static int DefaultCpus(IReadOnlyList<RunSpec> runs)
    {
        var threads = runs.Select(r => r.Config.Train.Threads).Distinct().ToList();
        return threads.Count == 1 && threads[0] > 0 ? threads[0] : 1;
    }

    /// <summary>The `ablate run` the follow-up job runs: this experiment, the same options, CPUs resolved, absolute paths.</summary>
    IReadOnlyList<string> FollowUpArguments(string file, SlurmOptions options)
    {
        var inv = CultureInfo.InvariantCulture;
        var a = new List<string> { "run", Path.GetFullPath(file), "--results", Path.GetFullPath(Results), "--launcher", "slurm", "--follow-up",
            "--cpus-per-task", options.CpusPerTask.ToString(inv) };
        if (Scale != null) a.AddRange(new[] { "--scale", Scale });
        foreach (var s in Set) a.AddRange(new[] { "--set", s });
        foreach (var o in Only ?? Array.Empty<string>()) a.AddRange(new[] { "--only", o });
        if (NoReport) a.Add("--no-report");
        if (options.Partition != null) a.AddRange(new[] { "--partition", options.Partition });
        if (options.Time != null) a.AddRange(new[] { "--time", options.Time });
        if (options.GpusPerTask is int g) a.AddRange(new[] { "--gpus-per-task", g.ToString(inv) });
        if (options.ArrayParallelism is int k) a.AddRange(new[] { "--array-parallelism", k.ToString(inv) });
        foreach (var s in options.SbatchArgs) a.Add($"--sbatch-arg={s}");
        return a;
    }

    /// <summary>After the jobs (or when nothing was left to submit): each experiment's table and plots, the failed runs with their logs, and the report.</summary>
    int Finish(SlurmClient slurm, IReadOnlyList<string> folders, bool report)
    {
        var failed = 0;
        foreach (var folder in folders)
        {
            var status = SlurmExperimentStatus.Read(folder, slurm, accounting: true);
            var incomplete = status?.Runs.Where(r => r.State != SlurmRunState.Done).ToList() ?? new List<SlurmRunStatus>();
            if (!NoReport) ReportCommand.WriteExperimentOutputs(folder);
            foreach (var run in incomplete)
            {
                failed++;
                Console.Error.WriteLine($"  FAILED {run.Progress.Label}: {StatusCommand.Describe(run)}");
            }
        }
        if (report)
            Console.WriteLine($"report: {ReportWriter.Write(Results, ReportCommand.RebuildCommand(Results), ReportCommand.Warn)}");
        if (failed == 0) return CliRunner.Ok;
        Console.Error.WriteLine($"error: {failed} run(s) did not complete; fix the cause in their logs and run the same command again to resubmit them");
        return CliRunner.Failure;
    }

    /// <summary>A warning (not a refusal: one node sees its own /tmp) when a path the tasks need is on a machine-local temporary filesystem.</summary>
    static void WarnIfLocal(string path, string what)
    {
        var full = Path.GetFullPath(path);
        foreach (var local in new[] { "/tmp", "/var/tmp", "/dev/shm", "/run" })
            if (full == local || full.StartsWith(local + "/", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"warning: the {what} {full} is under {local}, which is usually local to each machine: tasks on other nodes " +
                                        "cannot reach it. Use a folder on a filesystem every node shares (fine on a one-node cluster).");
                return;
            }
    }
}
