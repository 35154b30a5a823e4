using System.Diagnostics;
using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>
/// Runs every run of an experiment into results/EXPERIMENT/..., skipping complete runs and resuming interrupted
/// ones, so the same command after a crash or Ctrl-C finishes the work. Holds the experiment's lock throughout.
/// With jobs > 1, runs go to separate processes with the CPU threads divided between them.
/// </summary>
public sealed class ExperimentRunner
{
    readonly ExperimentSpec _spec;
    readonly string? _scale;
    readonly IExperimentObserver _observer;

    public ExperimentRunner(ExperimentSpec spec, string? scale, string resultsRoot, IExperimentObserver observer)
    {
        _spec = spec;
        _scale = scale ?? spec.DefaultScale;
        _observer = observer;
        Folder = Path.GetFullPath(Path.Combine(resultsRoot, spec.FolderName(_scale)));
    }

    public string Folder { get; }

    /// <summary>The working folder for relative data paths.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    public ExperimentOutcome Run(IReadOnlyList<RunSpec> runs, int jobs = 1, bool force = false, IRunLauncher? launcher = null, CancellationToken cancel = default)
    {
        using var _ = ExperimentLock.Acquire(Folder);
        WriteManifest(runs);
        // Claim every run folder first: a folder written by another configuration stops the experiment before any training.
        foreach (var run in runs) new RunFolder(RunPath(run)).Claim(run.Config, force);
        var pending = runs.Where(r => !new RunFolder(RunPath(r)).IsComplete).ToList();
        _observer.OnPlan(runs, runs.Count - pending.Count, jobs);
        return jobs <= 1 || launcher == null
            ? RunInProcess(pending, runs.Count - pending.Count, cancel)
            : RunInProcesses(pending, runs.Count - pending.Count, jobs, launcher, cancel);
    }

    public string RunPath(RunSpec run) => Path.Combine(Folder, run.Folder);

    ExperimentOutcome RunInProcess(List<RunSpec> pending, int skipped, CancellationToken cancel)
    {
        var failed = new List<string>();
        int trained = 0;
        foreach (var run in pending)
        {
            if (cancel.IsCancellationRequested) return new ExperimentOutcome(trained, skipped, failed, true);
            _observer.OnRunStarted(run);
            var watch = Stopwatch.StartNew();
            try
            {
                var summary = new Trainer(run.Config, RunPath(run)) { BaseDirectory = BaseDirectory }.Run(cancel: cancel);
                if (summary == null) return new ExperimentOutcome(trained, skipped, failed, true);
                trained++;
                _observer.OnRunFinished(run, summary, watch.Elapsed);
            }
            catch (Exception e) when (e is Config.ConfigException or Data.DataException or IOException)
            {
                failed.Add(run.Label);
                _observer.OnRunFailed(run, e.Message);
            }
        }
        return new ExperimentOutcome(trained, skipped, failed, false);
    }

    ExperimentOutcome RunInProcesses(List<RunSpec> pending, int skipped, int jobs, IRunLauncher launcher, CancellationToken cancel)
    {
        var threads = Math.Max(1, Environment.ProcessorCount / jobs);
        var queue = new Queue<RunSpec>(pending);
        var active = new List<(RunSpec Run, Process Process, Stopwatch Watch, string Log)>();
        var failed = new List<string>();
        int trained = 0;
        var signalled = false;
        while (queue.Count > 0 || active.Count > 0)
        {
            if (cancel.IsCancellationRequested)
            {
                queue.Clear();
                if (!signalled) foreach (var a in active) Interrupt(a.Process);   // each child checkpoints and exits
                signalled = true;
            }
            while (!cancel.IsCancellationRequested && active.Count < jobs && queue.Count > 0)
            {
                var run = queue.Dequeue();
                var folder = RunPath(run);
                var log = Path.Combine(folder, "train.log");
                _observer.OnRunStarted(run);
                active.Add((run, launcher.Start(Path.Combine(folder, "config.yaml"), folder, threads, log), Stopwatch.StartNew(), log));
            }
            var exited = active.FirstOrDefault(a => a.Process.WaitForExit(200));
            if (exited.Process == null) continue;
            active.Remove(exited);
            var summary = RunSummary.Read(RunPath(exited.Run));
            if (exited.Process.ExitCode == 0 && summary != null)
            {
                trained++;
                _observer.OnRunFinished(exited.Run, summary, exited.Watch.Elapsed);
            }
            else if (!cancel.IsCancellationRequested)
            {
                failed.Add(exited.Run.Label);
                _observer.OnRunFailed(exited.Run, $"exit code {exited.Process.ExitCode}; {Tail(exited.Log)}");
            }
            exited.Process.Dispose();
        }
        return new ExperimentOutcome(trained, skipped, failed, cancel.IsCancellationRequested);
    }

    void WriteManifest(IReadOnlyList<RunSpec> runs)
    {
        var manifest = ExperimentManifest.From(_spec, _scale, runs);
        if (ExperimentManifest.Read(Folder) is { } existing)
        {
            // Runs of other variants from an earlier --only stay listed, in the experiment file's order.
            var all = existing.Runs.Where(r => manifest.Runs.All(m => m.Folder != r.Folder)).Concat(manifest.Runs).ToList();
            var order = _spec.Variants.Select(v => v.Name).ToList();
            manifest = manifest with
            {
                Runs = all.OrderBy(r => order.IndexOf(r.Variant)).ThenBy(r => r.SweepPoint, StringComparer.Ordinal).ThenBy(r => r.Seed).ToList(),
                Variants = order.Where(v => all.Any(r => r.Variant == v)).ToList(),
            };
        }
        manifest.Write(Folder);
    }

    /// <summary>SIGINT, as Ctrl-C would send: the child's trainer saves a checkpoint and exits.</summary>
    static void Interrupt(Process process)
    {
        if (OperatingSystem.IsWindows()) { process.Kill(entireProcessTree: true); return; }
        try { Process.Start("kill", $"-INT {process.Id}")?.WaitForExit(); }
        catch (System.ComponentModel.Win32Exception) { process.Kill(entireProcessTree: true); }
    }

    static string Tail(string log)
    {
        try
        {
            var lines = File.ReadAllLines(log).Where(l => l.Trim().Length > 0).TakeLast(3);
            return string.Join(" | ", lines);
        }
        catch (IOException) { return "no log"; }
    }
}
