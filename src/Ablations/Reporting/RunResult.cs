using Ablations.Config;
using Ablations.Training;

namespace Ablations.Reporting;

/// <summary>One run folder as reporting sees it: where it sits in the experiment, its configuration, summary (if finished) and metrics.</summary>
public sealed record RunResult(string Variant, string SweepPoint, IReadOnlyDictionary<string, string> SweepValues, int Seed,
    string Folder, RunConfig Config, RunSummary? Summary, IReadOnlyList<MetricsRow> Metrics)
{
    public bool Complete => Summary != null;
    public bool Diverged => Summary?.Status == "diverged";
}
