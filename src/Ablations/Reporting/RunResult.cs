using Ablations.Config;
using Ablations.Training;

namespace Ablations.Reporting;

/// <summary>One run folder as reporting sees it: where it sits in the experiment, its configuration, summary (if finished) and metrics.</summary>
public sealed record RunResult(string Variant, string SweepPoint, IReadOnlyDictionary<string, string> SweepValues, int Seed,
    string Folder, RunConfig Config, RunSummary? Summary, IReadOnlyList<MetricsRow> Metrics)
{
    public bool Complete => Summary != null;
    public bool Diverged => Summary?.Status == RunStatus.Diverged;

    /// <summary>Final validation loss of a completed run; null while running or when it diverged.</summary>
    public double? FinalValLoss => Summary is { Status: RunStatus.Completed, FinalValLoss: double v } && double.IsFinite(v) ? v : null;

    /// <summary>Largest attention logit measured during the run, or null when none was logged.</summary>
    public double? MaxAttentionLogit =>
        Metrics.Where(m => m.MaxAttnLogit is double v && double.IsFinite(v)).Select(m => m.MaxAttnLogit).Max();
}
