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
        if (Experiments.FolderName.Problem(spec.FolderName(_scale)) is { } bad) throw new Config.ConfigException(bad, spec.File, key: "name");
        Folder = Common.ContainedPath.Under(resultsRoot, spec.FolderName(_scale), "the experiment folder");
    }

    public string Folder { get; }

    /// <summary>The working folder for relative data paths.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    public ExperimentOutcome Run(IReadOnlyList<RunSpec> runs, int jobs = 1, bool force = false, IRunLauncher? launcher = null, CancellationToken cancel = default)
    {
        using var _ = ExperimentLock.Acquire(Folder);
        var pending = Prepare(runs, force);
        _observer.OnPlan(runs, runs.Count - pending.Count, jobs);
        return jobs <= 1 || launcher == null
            ? RunInProcess(pending, runs.Count - pending.Count, cancel)
            : RunInProcesses(pending, runs.Count - pending.Count, jobs, launcher, cancel);
    }

    public string RunPath(RunSpec run) => Common.ContainedPath.Under(Folder, run.Folder, "the run folder");

    /// <summary>
    /// Lists <paramref name="runs"/> in experiment.json and claims every run folder (its config.yaml), then returns
    /// the runs not complete. Claiming all first means a folder written by another configuration stops the
    /// experiment before any training. The caller holds the experiment's lock.
    /// </summary>
    public List<RunSpec> Prepare(IReadOnlyList<RunSpec> runs, bool force)
    {
        Directory.CreateDirectory(Folder);
        WriteManifest(runs);
        foreach (var run in runs) new RunFolder(RunPath(run)).Claim(run.Config, force, keepSame: true);
        return runs.Where(r => !new RunFolder(RunPath(r)).IsComplete).ToList();
    }

    /// <summary>
    /// What a scheduler that cannot wait on the grid in this process (a cluster) trains next, prepared as
    /// <see cref="Prepare"/> does: the grid runs while any is incomplete; then, with tune, each variant's best grid
    /// point is chosen from the run folders and recorded, and the remaining seeds at it. Nothing pending means the
    /// experiment is complete. The caller holds the experiment's lock.
    /// </summary>
    public ExperimentPhase NextPhase(IReadOnlyList<RunSpec> grid, Func<IReadOnlyDictionary<string, string>, IReadOnlyList<RunSpec>> completion, bool force)
    {
        var pending = Prepare(grid, force);
        if (pending.Count > 0 || _spec.Tune == null) return new ExperimentPhase(false, grid, pending);
        var best = ChooseBest(grid);
        WriteManifest(grid, best);
        var rest = completion(best);
        return rest.Count == 0 ? new ExperimentPhase(false, grid, pending) : new ExperimentPhase(true, rest, Prepare(rest, force));
    }

    /// <summary>
    /// All runs of the experiment: without tune, <paramref name="runs"/>; with tune, those grid runs, then each
    /// variant's best grid point (chosen from the run folders, so a rerun chooses the same), then the remaining
    /// seeds at it (<paramref name="completion"/> expands them from the choice).
    /// </summary>
    public ExperimentOutcome RunAll(IReadOnlyList<RunSpec> runs, Func<IReadOnlyDictionary<string, string>, IReadOnlyList<RunSpec>> completion,
        int jobs = 1, bool force = false, IRunLauncher? launcher = null, CancellationToken cancel = default)
    {
        var outcome = RunGridAndCompletion(runs, completion, jobs, force, launcher, cancel);
        if (!outcome.Interrupted && outcome.Failed.Count == 0 && !cancel.IsCancellationRequested) MeasureLatency(runs);
        return outcome;
    }

    ExperimentOutcome RunGridAndCompletion(IReadOnlyList<RunSpec> runs, Func<IReadOnlyDictionary<string, string>, IReadOnlyList<RunSpec>> completion,
        int jobs, bool force, IRunLauncher? launcher, CancellationToken cancel)
    {
        var grid = Run(runs, jobs, force, launcher, cancel);
        if (_spec.Tune == null || grid.Interrupted) return grid;
        var best = ChooseBest(runs);
        WriteManifest(runs, best);
        var rest = completion(best);
        if (rest.Count == 0) return grid;
        var seeds = Run(rest, jobs, force, launcher, cancel);
        return new ExperimentOutcome(grid.Trained + seeds.Trained, grid.Skipped + seeds.Skipped, grid.Failed.Concat(seeds.Failed).ToList(), seeds.Interrupted);
    }

    /// <summary>
    /// With latency: decode speed and the cache held at a long context for the variants among <paramref name="runs"/>
    /// (their configuration at latency.at; the weights do not matter to the speed), measured here, after training,
    /// with nothing else running, and kept in latency.json; a record that already answers the same question is kept.
    /// </summary>
    public LatencyRecord? MeasureLatency(IReadOnlyList<RunSpec> runs)
    {
        if (_spec.Latency is not { } entry) return null;
        string Fixed(string point) => _spec.Tune == null ? point : TuneGroups.Fixed(point, _spec.Tune.Key);
        var order = entry.Variants.Count > 0 ? entry.Variants : _spec.Variants.Select(v => v.Name).ToList();
        var subjects = order
            .Select(v => runs.FirstOrDefault(r => r.Variant == v && Fixed(r.SweepPoint) == entry.At))
            .Where(r => r != null).Select(r => (r!.Variant, r.Config.Model)).ToList();
        if (subjects.Count == 0) return null;
        using var _ = ExperimentLock.Acquire(Folder);
        var existing = LatencyRecord.Read(Folder);
        if (existing != null && existing.Answers(entry, subjects.Select(s => s.Variant).ToList())) return existing;
        _observer.OnMessage($"latency: decoding {entry.Tokens} tokens per variant with the cache filled to {entry.Context:N0} positions ({string.Join(", ", subjects.Select(s => s.Variant))})");
        var record = new LatencyRecord
        {
            Context = entry.Context,
            Tokens = entry.Tokens,
            Threads = TorchSharp.torch.get_num_threads(),
            Device = "cpu",
            At = entry.At,
            Results = Benchmarks.DecodeLatency.Measure(subjects, entry.Context, entry.Warmup, entry.Tokens),
        };
        record.Write(Folder);
        return record;
    }

    /// <summary>
    /// Each variant's grid point with the lowest mean scored validation loss over the tuning seeds (a diverged run at
    /// its initial loss), at every point of the sweep's other axes; says which, and warns when it is the grid's first
    /// or last value: the optimum may lie beyond.
    /// </summary>
    public IReadOnlyDictionary<string, string> ChooseBest(IReadOnlyList<RunSpec> grid)
    {
        var best = new Dictionary<string, string>();
        var key = _spec.Tune?.Key;
        if (key == null) return best;
        foreach (var group in grid.GroupBy(r => TuneGroups.Key(r.Variant, TuneGroups.Fixed(r.SweepPoint, key))))
        {
            var points = group.GroupBy(r => r.SweepPoint)
                .Select(p => (Label: p.Key, Value: p.First().SweepValues[key], Losses: p.Select(Score).Where(l => l != null).Select(l => l!.Value).ToList()))
                .OrderBy(p => double.TryParse(p.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var x) ? x : 0)
                .ToList();
            var scored = points.Where(p => p.Losses.Count > 0).ToList();
            if (scored.Count == 0) continue;
            var chosen = scored.MinBy(p => p.Losses.Average());
            best[group.Key] = chosen.Label;
            var edge = chosen.Label == points[0].Label || chosen.Label == points[^1].Label;
            _observer.OnMessage($"tune: {group.Key} is compared at {chosen.Label} (mean validation loss {chosen.Losses.Average():F4} over {chosen.Losses.Count} seed(s))" +
                                (edge ? $"; warning: that is the grid's {(chosen.Label == points[0].Label ? "lowest" : "highest")} value, so the best may lie beyond it: widen tune.values" : ""));
        }
        return best;
    }

    double? Score(RunSpec run)
    {
        var folder = new RunFolder(RunPath(run));
        var metrics = File.Exists(folder.MetricsFile) ? MetricsFile.Read(folder.MetricsFile) : new List<MetricsRow>();
        return RunScore.ValLoss(RunSummary.TryRead(folder.Path), metrics);
    }

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

    void WriteManifest(IReadOnlyList<RunSpec> runs, IReadOnlyDictionary<string, string>? best = null)
    {
        var manifest = ExperimentManifest.From(_spec, _scale, runs);
        if (best != null) manifest = manifest with { Best = best };
        if (ExperimentManifest.Read(Folder) is { } existing)
        {
            // Runs of other variants from an earlier --only stay listed, in the experiment file's order.
            var all = existing.Runs.Where(r => manifest.Runs.All(m => m.Folder != r.Folder)).Concat(manifest.Runs).ToList();
            var order = _spec.Variants.Select(v => v.Name).ToList();
            manifest = manifest with
            {
                Runs = all.OrderBy(r => order.IndexOf(r.Variant)).ThenBy(r => r.SweepPoint, StringComparer.Ordinal).ThenBy(r => r.Seed).ToList(),
                Variants = order.Where(v => all.Any(r => r.Variant == v)).ToList(),
                // A choice already made (an earlier pass) stays unless this pass made one.
                Best = best ?? existing.Best,
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
