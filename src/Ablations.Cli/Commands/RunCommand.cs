using System.CommandLine;
using Ablations.Cluster;
using Ablations.Config;
using Ablations.Experiments;
using Ablations.Reporting;

namespace Ablations.Cli.Commands;

/// <summary>
/// `ablate run experiment.yaml`: every variant x sweep point x seed; complete runs are skipped and interrupted
/// ones resume, so the same command after a crash finishes the work. Ends with the table and plots.
/// </summary>
public static class RunCommand
{
    public const int Busy = CliRunner.Busy;

    public static Command Create()
    {
        var files = new Argument<string[]>("experiments") { Description = "experiment files (base, variants, seeds, sweep, scales), run one after the other", Arity = ArgumentArity.OneOrMore };
        var scale = new Option<string?>("--scale") { Description = "smoke | small | full (as the file defines them; default: the file's default_scale)" };
        var set = new Option<string[]>("--set") { Description = "override a key in every run, e.g. --set train.steps=100" };
        var only = new Option<string[]>("--only") { Description = "run only these variants (repeatable)" };
        var jobs = NumberOption.Create("--jobs", "runs at once, as separate processes sharing the CPU threads", 1, minimum: 1);
        var results = new Option<string>("--results") { Description = "results root", DefaultValueFactory = _ => "results" };
        var force = new Option<bool>("--force") { Description = "discard run folders written by a different configuration (finished runs the file still describes are kept)" };
        var noReport = new Option<bool>("--no-report") { Description = "skip each experiment's table and plots at the end" };
        var report = new Option<bool>("--report") { Description = "then write results/REPORT.md over every experiment in the results root" };
        var launcher = EnumOption.Create("--launcher", "where runs train: here, or as Slurm array jobs", Launcher.Local);
        var partition = new Option<string?>("--partition") { Description = "slurm: the partition to submit to (default: the cluster's default)" };
        var time = new Option<string?>("--time") { Description = "slurm: time limit per task, HH:MM:SS (or any sbatch --time form); tasks checkpoint before it and requeue" };
        var cpus = NumberOption.Optional<int>("--cpus-per-task", "slurm: CPUs per task, the trainer's libtorch threads (default: train.threads when the runs agree on it, else 1)", minimum: 1);
        var gpus = NumberOption.Optional<int>("--gpus-per-task", "slurm: GPUs per task", minimum: 1);
        var parallelism = NumberOption.Optional<int>("--array-parallelism", "slurm: at most this many tasks at once", minimum: 1);
        var sbatchArgs = new Option<string[]>("--sbatch-arg") { Description = "slurm: another sbatch option for every job, e.g. --sbatch-arg=--account=lab (repeatable)" };
        var wait = new Option<bool>("--wait") { Description = "slurm: wait for the jobs with a progress bar, then write the table (Ctrl-C stops waiting, not the jobs)" };
        var followUp = new Option<bool>("--follow-up") { Description = "slurm: set by the job that continues an experiment after its array", Hidden = true };
        var command = new Command("run", "run ablation experiments; rerun the same command to resume")
        {
            files, scale, set, only, jobs, results, force, noReport, report, launcher, partition, time, cpus, gpus, parallelism, sbatchArgs, wait, followUp,
        };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            OutputFolder.Check(r.GetValue(results)!, "--results");
            var slurmOnly = new Option[] { partition, time, cpus, gpus, parallelism, sbatchArgs, wait, followUp };
            if (r.GetValue(launcher) == Launcher.Slurm)
            {
                if (r.GetResult(jobs) is { Implicit: false })
                    throw new ConfigException("is for the local launcher; with --launcher slurm, --array-parallelism limits the tasks at once", key: "--jobs");
            }
            else if (slurmOnly.FirstOrDefault(o => r.GetResult(o) is { Implicit: false }) is { } given)
                throw new ConfigException("only applies with --launcher slurm", key: given.Name);
            var specs = r.GetValue(files)!.Select(ExperimentLoader.Load).ToList();   // check every file before running any
            if (r.GetValue(launcher) == Launcher.Slurm)
                return new SlurmRun
                {
                    Files = r.GetValue(files)!, Specs = specs, Scale = r.GetValue(scale), Set = r.GetValue(set) ?? Array.Empty<string>(),
                    Only = r.GetValue(only) is { Length: > 0 } o ? o : null, Results = r.GetValue(results)!, Force = r.GetValue(force),
                    NoReport = r.GetValue(noReport), Report = r.GetValue(report), Wait = r.GetValue(wait), FollowUp = r.GetValue(followUp),
                    Cpus = r.GetValue(cpus),
                    Options = new SlurmOptions
                    {
                        Partition = r.GetValue(partition), Time = r.GetValue(time), GpusPerTask = r.GetValue(gpus),
                        ArrayParallelism = r.GetValue(parallelism), SbatchArgs = r.GetValue(sbatchArgs) ?? Array.Empty<string>(),
                    },
                }.Execute();
            foreach (var spec in specs)
            {
                var code = RunOne(spec, r.GetValue(scale), r.GetValue(set), r.GetValue(only), r.GetValue(jobs), r.GetValue(results)!, r.GetValue(force), r.GetValue(noReport));
                if (code != CliRunner.Ok) return code;
            }
            if (r.GetValue(report))
                Console.WriteLine($"report: {ReportWriter.Write(r.GetValue(results)!, ReportCommand.RebuildCommand(r.GetValue(results)!), ReportCommand.Warn)}");
            return CliRunner.Ok;
        }));
        return command;
    }

    static int RunOne(ExperimentSpec spec, string? scale, string[]? set, string[]? only, int jobs, string results, bool force, bool noReport)
    {
        var onlyVariants = only is { Length: > 0 } o ? o : null;
        var runs = spec.Expand(scale, set, onlyVariants);
        var runner = new ExperimentRunner(spec, scale, results, new ExperimentConsole());
        Console.WriteLine($"experiment {spec.Name} -> {runner.Folder}");
        if (SlurmJobsOf(runner.Folder) is { } busy)
        {
            Console.Error.WriteLine($"error: {busy}");
            return Busy;
        }
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        ExperimentOutcome outcome;
        try
        {
            outcome = runner.RunAll(runs, best => spec.ExpandCompletion(scale, best, set, onlyVariants), jobs, force, new ProcessLauncher(), cancel.Token);
        }
        catch (ExperimentBusyException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Busy;
        }
        finally { Console.CancelKeyPress -= onCancel; }
        if (outcome.Interrupted)
        {
            Console.WriteLine("interrupted: finished runs are kept and the others have checkpoints; run the same command again to resume");
            return CliRunner.Interrupted;
        }
        if (!noReport) ReportCommand.WriteExperimentOutputs(runner.Folder);
        if (outcome.Failed.Count > 0)
        {
            Console.Error.WriteLine($"error: {outcome.Failed.Count} run(s) failed: {string.Join(", ", outcome.Failed)}");
            return CliRunner.Failure;
        }
        return CliRunner.Ok;
    }

    /// <summary>
    /// What stops a local run of an experiment whose Slurm jobs are still queued or running (their tasks would
    /// contend with it for every run folder), or null. Without squeue here, or with Slurm not answering, nothing can be known.
    /// </summary>
    static string? SlurmJobsOf(string folder)
    {
        if (SlurmJobLog.Read(folder) is not { } log || SlurmClient.FindSbatch() == null) return null;
        try
        {
            var active = SlurmClient.Find().ActiveJobs(log.JobName);
            return active.Count == 0 ? null : log.Busy(folder, active);
        }
        catch (SlurmException) { return null; }
    }
}
