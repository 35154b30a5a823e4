namespace Ablations.Training;

/// <summary>
/// The validation loss a comparison counts for a finished run: its final one when it completed; when it diverged,
/// the loss of the initial model (its first step's training loss), so divergence is scored as learning nothing
/// and a diverged run is never left out of a comparison.
/// </summary>
public static class RunScore
{
    public static double? ValLoss(RunSummary? summary, IReadOnlyList<MetricsRow> metrics)
    {
        if (summary is { Status: RunStatus.Completed, FinalValLoss: double v } && double.IsFinite(v)) return v;
        if (summary is { Status: RunStatus.Diverged } && metrics.Count > 0 && double.IsFinite(metrics[0].TrainLoss)) return metrics[0].TrainLoss;
        return null;
    }
}
