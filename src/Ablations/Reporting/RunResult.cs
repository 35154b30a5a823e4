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

    /// <summary>
    /// The validation loss a comparison counts: the final one of a completed run; for a diverged run the loss of the
    /// initial model (its first step's training loss), so divergence is scored as learning nothing, never left out.
    /// </summary>
    public double? ScoredValLoss => RunScore.ValLoss(Summary, Metrics);

    /// <summary>
    /// The answer accuracy a comparison counts on a recall task: the final one of a completed run; a diverged run at
    /// chance (one over the answer alphabet), as its loss is scored at the initial model's. Null on other data.
    /// </summary>
    public double? ScoredValAccuracy => Config.Data.Source != DataSource.Recall ? null
        : Summary is { Status: RunStatus.Completed, FinalValAccuracy: double a } ? a
        : Diverged ? 1.0 / Config.Data.Recall.AnswerAlphabet
        : null;

    /// <summary>fp32 or bf16: what the run trained in (its summary, else config.yaml, which holds the resolved precision once training started).</summary>
    public string Precision => Summary?.Precision ?? (Config.Train.Precision == Ablations.Config.Precision.Bf16 ? "bf16" : "fp32");

    /// <summary>Training tokens the run saw.</summary>
    public long Tokens => Summary?.Tokens ?? (Metrics.Count > 0 ? Metrics[^1].Tokens : 0);

    /// <summary>Largest attention logit measured during the run, or null when none was logged.</summary>
    public double? MaxAttentionLogit =>
        Metrics.Where(m => m.MaxAttnLogit is double v && double.IsFinite(v)).Select(m => m.MaxAttnLogit).Max();
}
