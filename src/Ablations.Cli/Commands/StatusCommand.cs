using System.CommandLine;
using System.Globalization;
using Ablations.Cluster;
using Ablations.Config;
using Ablations.Experiments;

namespace Ablations.Cli.Commands;

/// <summary>
/// `ablate status EXPERIMENT`: each run's state from its folder (done, running, interrupted, not started, with its
/// steps and speed), joined, for an experiment submitted to Slurm, with squeue and sacct where the cluster keeps
/// accounting (pending or running as which task, failed with the logs to read).
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var experiment = new Argument<string>("experiment") { Description = "an experiment file, or its results folder (results/<experiment>)" };
        var scale = new Option<string?>("--scale") { Description = "the scale it ran at, with an experiment file (default: the file's default_scale)" };
        var results = new Option<string>("--results") { Description = "results root, with an experiment file", DefaultValueFactory = _ => "results" };
        var command = new Command("status", "where each run of an experiment stands: from its run folders, and from Slurm when it was submitted there") { experiment, scale, results };
        command.SetAction(r => CliRunner.Guard(() => Show(Folder(r.GetValue(experiment)!, r.GetValue(scale), r.GetValue(results)!))));
        return command;
    }

    static string Folder(string experiment, string? scale, string results)
    {
        if (Directory.Exists(experiment)) return Path.GetFullPath(experiment);
        var spec = ExperimentLoader.Load(experiment);
        return Path.GetFullPath(Path.Combine(results, spec.FolderName(scale ?? spec.DefaultScale)));
    }

    static int Show(string folder)
    {
        var manifest = ExperimentManifest.Read(folder)
                       ?? throw new ConfigException($"no {ExperimentManifest.FileName} here: the experiment has not been run (or submitted) into this folder yet", folder);
        var log = SlurmJobLog.Read(folder);
        if (log == null) ShowLocal(folder, null);
        else if (SlurmClient.FindSbatch() == null) ShowLocal(folder, "submitted to Slurm, but there is no squeue here");
        else
        {
            try { ShowSlurm(folder); }
            catch (SlurmException e) { ShowLocal(folder, $"submitted to Slurm, which does not answer ({e.Message})"); }
        }
        if (manifest.TuneKey != null && manifest.Best.Count == 0)
            Console.WriteLine($"then, once the grid is complete, the remaining seeds at each variant's best {manifest.TuneKey} (tune)");
        return CliRunner.Ok;
    }

    static void ShowSlurm(string folder)
    {
        var status = SlurmExperimentStatus.Read(folder, SlurmClient.Find(), accounting: true)!;
        Console.WriteLine($"experiment {folder}: {status.Runs.Count} runs: {status.Count(SlurmRunState.Done)} done, {status.Count(SlurmRunState.Running)} running, " +
                          $"{status.Count(SlurmRunState.Pending)} pending, {status.Count(SlurmRunState.Failed)} failed" +
                          (status.Count(SlurmRunState.NotSubmitted) > 0 ? $", {status.Count(SlurmRunState.NotSubmitted)} not submitted" : ""));
        var jobs = status.Active.Where(e => e.Task == null).Select(e => $"{e.JobId} ({e.State.ToLowerInvariant()}, {e.Reason})");
        Console.WriteLine($"Slurm jobs named {status.JobName}: {status.Active.Count(e => e.Task != null)} array task(s) queued or running" +
                          (jobs.Any() ? $"; follow-up {string.Join(", ", jobs)}" : "") +
                          (status.HasAccounting ? "" : "; no accounting on this cluster (states of ended tasks from squeue and the run folders)"));
        var width = status.Runs.Select(r => r.Progress.Label.Length).DefaultIfEmpty(10).Max();
        foreach (var run in status.Runs)
        {
            var state = run.State == SlurmRunState.NotSubmitted ? Local(run.Progress.State) : Name(run.State, run.Progress.State);
            Console.WriteLine($"  {run.Progress.Label.PadRight(width)}  {state,-11} {Progress(run.Progress)}{(run.Task != null || run.Detail != null ? "  " + TaskText(run) : "")}");
            if (run.State == SlurmRunState.Failed) Console.WriteLine($"  {"".PadRight(width)}  {Logs(run)}");
        }
    }

    /// <param name="slurm">Why the queue is not shown for an experiment submitted to Slurm; null for a local one.</param>
    static void ShowLocal(string folder, string? slurm)
    {
        var runs = RunProgress.ReadAll(folder);
        var counts = runs.GroupBy(r => Local(r.State)).Select(g => $"{g.Count()} {g.Key}");
        Console.WriteLine($"experiment {folder}: {runs.Count} runs: {string.Join(", ", counts)}" +
                          (slurm != null ? $" ({slurm}: states from the run folders only)" : ""));
        var w = runs.Select(r => r.Label.Length).DefaultIfEmpty(10).Max();
        foreach (var run in runs) Console.WriteLine($"  {run.Label.PadRight(w)}  {Local(run.State),-11} {Progress(run)}");
    }

    /// <summary>One run's Slurm state in a few words, with its task, the reason or final state, and its logs when it failed.</summary>
    public static string Describe(SlurmRunStatus run) =>
        $"{Name(run.State, run.Progress.State)} {TaskText(run)}{(run.State == SlurmRunState.Failed ? "; " + Logs(run) : "")}";

    static string TaskText(SlurmRunStatus run) => string.Join(' ', new[] { run.Task != null ? $"task {run.Task}" : null, run.Detail }.OfType<string>());

    static string Logs(SlurmRunStatus run) =>
        $"log: {run.TaskLog ?? "none written (the task never started)"}; train log: {Path.Combine(run.Progress.Folder, "train.log")}";

    static string Name(SlurmRunState state, RunState folder) => state switch
    {
        SlurmRunState.Done => folder == RunState.Diverged ? "diverged" : "done",
        SlurmRunState.Running => "running",
        SlurmRunState.Pending => "pending",
        SlurmRunState.Failed => "failed",
        _ => "not submitted",
    };

    static string Local(RunState state) => state switch
    {
        RunState.Completed => "done",
        RunState.Diverged => "diverged",
        RunState.Running => "running",
        RunState.Interrupted => "interrupted",
        _ => "not started",
    };

    static string Progress(RunProgress run)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = string.Create(inv, $"{run.Step}/{run.Steps} steps");
        if (run.ValLoss is double loss) text += string.Create(inv, $", val loss {loss:F4}");
        if (run.TokensPerSecond is double speed && run.State is RunState.Running or RunState.Completed or RunState.Diverged) text += string.Create(inv, $", {speed:F0} tok/s");
        if (run.Precision is string precision && precision != "fp32") text += $", {precision}";   // fp32 goes without saying
        return text;
    }
}
