using Ablations.Analysis;
using Ablations.Training;

namespace Ablations.Reporting;

/// <summary>Builds the paper-style table of an experiment from its run folders.</summary>
public static class ResultTable
{
    public static IReadOnlyList<TableRow> Build(ExperimentResults results)
    {
        var groups = results.Groups().ToList();
        var rows = new List<TableRow>();
        var losses = groups.ToDictionary(g => (g.Variant, g.SweepPoint), g => FinalLosses(g.Runs));
        foreach (var (variant, point, runs) in groups)
        {
            var config = runs[0].Config.Model;
            var inspection = Inspector.Inspect(config, runs[0].Config.SequenceLength, "bf16");
            var finals = losses[(variant, point)];
            var completed = runs.Where(r => r.Summary is { Status: RunStatus.Completed }).ToList();
            var isBaseline = variant == results.Manifest.Baseline;
            double? delta = null, p = null;
            if (!isBaseline && losses.TryGetValue((results.Manifest.Baseline, point), out var baseline) && finals.Count > 0 && baseline.Count > 0)
            {
                delta = finals.Average() - baseline.Average();
                p = Statistics.Welch(finals, baseline)?.PValue;
            }
            rows.Add(new TableRow
            {
                Variant = variant,
                SweepPoint = point,
                IsBaseline = isBaseline,
                Runs = runs.Count,
                Completed = completed.Count,
                Diverged = runs.Count(r => r.Diverged),
                ParametersTotal = inspection.TotalParameters,
                ParametersActive = inspection.ActiveParameters,
                KvBytesPerToken = inspection.KvBytesPerToken,
                ValLoss = finals.Count > 0 ? Statistics.Summarize(finals) : null,
                Perplexity = finals.Count > 0 ? Statistics.Summarize(completed.Select(r => r.Summary!.FinalValPerplexity!.Value).ToList()) : null,
                BitsPerByte = finals.Count > 0 ? Statistics.Summarize(completed.Select(r => r.Summary!.FinalValBitsPerByte!.Value).ToList()) : null,
                DeltaVsBaseline = delta,
                PValue = p,
                TokensPerSecond = runs.Where(r => r.Summary != null).Select(r => r.Summary!.TokensPerSecond).DefaultIfEmpty(0).Average(),
                MaxGradNorm = runs.SelectMany(r => r.Metrics).Select(m => m.GradNorm).Where(double.IsFinite).DefaultIfEmpty(0).Max(),
                MaxAttentionLogit = runs.Select(r => r.MaxAttentionLogit).Max(),
                LossSpikes = runs.Where(r => r.Summary != null).Sum(r => r.Summary!.LossSpikes),
                ExpertLoadMax = LastLoad(runs, m => m.ExpertLoadMax),
                ExpertLoadMin = LastLoad(runs, m => m.ExpertLoadMin),
                SeedLosses = finals,
            });
        }
        return rows;
    }

    static double? LastLoad(IReadOnlyList<RunResult> runs, Func<Training.MetricsRow, double?> pick)
    {
        var values = runs.Select(r => r.Metrics.LastOrDefault(m => pick(m) != null)).Where(m => m != null).Select(m => pick(m!)!.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    static List<double> FinalLosses(IReadOnlyList<RunResult> runs) => runs.Where(r => r.FinalValLoss != null).Select(r => r.FinalValLoss!.Value).ToList();
}
