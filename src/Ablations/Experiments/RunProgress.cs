using Ablations.Common;
using Ablations.Config;
using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>
/// One run of an experiment as its folder describes it now: its state, the steps done of those configured, the
/// training speed (the latest logged step's while it trains, the run's median once complete) and its final
/// validation loss, and once complete the precision it trained in. Read only from the run folder, so a run trained by another process or machine reads the same.
/// </summary>
public sealed record RunProgress(string Label, string Folder, RunState State, int Step, int Steps, double? TokensPerSecond, double? ValLoss, string? Precision = null)
{
    /// <summary>Every run listed in the experiment folder's experiment.json, in its order.</summary>
    public static IReadOnlyList<RunProgress> ReadAll(string experimentFolder)
    {
        var manifest = ExperimentManifest.Read(experimentFolder)
                       ?? throw new ConfigException($"no {ExperimentManifest.FileName} here: not an experiment folder written by `ablate run`", experimentFolder);
        return manifest.Runs.Select(r => Read(experimentFolder, r.Folder)).ToList();
    }

    /// <summary>The run in <paramref name="relativeFolder"/> (variant[/sweep point]/seed-n) of the experiment folder.</summary>
    public static RunProgress Read(string experimentFolder, string relativeFolder)
    {
        var folder = new RunFolder(Path.Combine(experimentFolder, relativeFolder));
        var label = relativeFolder.Replace(Path.DirectorySeparatorChar, '/');
        var steps = ConfiguredSteps(folder);
        var summary = RunSummary.TryRead(folder.Path);   // a damaged summary is not a finished run: shown by its metrics
        if (summary != null)
            return new RunProgress(label, folder.Path, summary.Status == RunStatus.Diverged ? RunState.Diverged : RunState.Completed,
                summary.Steps, steps, summary.TokensPerSecond, summary.FinalValLoss, summary.Precision);
        var rows = File.Exists(folder.MetricsFile) ? MetricsFile.Read(folder.MetricsFile) : new List<MetricsRow>();
        var last = rows.Count == 0 ? null : rows[^1];
        var state = FolderLock.IsHeld(folder.Path) ? RunState.Running : last == null ? RunState.NotStarted : RunState.Interrupted;
        return new RunProgress(label, folder.Path, state, last?.Step ?? 0, steps, last?.TokensPerSecond, null);
    }

    /// <summary>train.steps of the folder's config.yaml; 0 when the folder has none yet (or an unreadable one).</summary>
    static int ConfiguredSteps(RunFolder folder)
    {
        if (!File.Exists(folder.ConfigFile)) return 0;
        try { return folder.ReadConfig().Train.Steps; }
        catch (ConfigException) { return 0; }
    }
}
