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
        var losses = groups.ToDictionary(g => (g.Variant, g.SweepPoint), g => Scored(g.Runs));
        var manifest = results.Manifest;
        var tuned = manifest.TuneKey != null;
        foreach (var (variant, point, runs) in groups)
        {
            var config = runs[0].Config.Model;
            var inspection = Inspector.Inspect(config, runs[0].Config.SequenceLength, "bf16");
            var finals = losses[(variant, point)];
            var completed = runs.Where(r => r.Summary is { Status: RunStatus.Completed }).ToList();
            var isBaseline = variant == results.Manifest.Baseline;
            var isBest = tuned && manifest.BestOf(variant, point) == point;
            // A tuned variant's best row is compared with the baseline's best (at the same point of the other axes);
            // other rows at the same grid point.
            var baselinePoint = isBest ? manifest.BestOf(manifest.Baseline, point) ?? point : point;
            double? delta = null, p = null;
            string? test = null;
            if (!isBaseline && losses.TryGetValue((results.Manifest.Baseline, baselinePoint), out var baseline) && finals.Count > 0 && baseline.Count > 0)
            {
                delta = finals.Values.Average() - baseline.Values.Average();
                if (SeedComparison.Of(finals, baseline) is { } comparison) (p, test) = (comparison.PValue, comparison.Test);
            }
            var nonEmbedding = inspection.TotalWithoutEmbeddings;
            var tokens = runs.Select(r => r.Tokens).DefaultIfEmpty(0).Max();
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
                ValLoss = finals.Count > 0 ? Statistics.Summarize(finals.Values.ToList()) : null,
                Accuracy = Summary(runs.Select(r => r.ScoredValAccuracy)),
                Perplexity = Summary(completed.Select(r => r.Summary!.FinalValPerplexity)),
                BitsPerByte = Summary(completed.Select(r => r.Summary!.FinalValBitsPerByte)),
                DeltaVsBaseline = delta,
                PValue = p,
                Test = test,
                IsBest = isBest,
                LrSensitivity = isBest ? Sensitivity(results.Runs.Where(r => r.Variant == variant && manifest.FixedPoint(r.SweepPoint) == manifest.FixedPoint(point)).ToList()) : null,
                FlopsPerToken = inspection.FlopsPerToken,
                TokensPerParameter = nonEmbedding > 0 ? (double)tokens / nonEmbedding : 0,
                Precision = string.Join("/", runs.Select(r => r.Precision).Distinct().Order()),
                TokensPerSecond = runs.Where(r => r.Summary != null).Select(r => r.Summary!.TokensPerSecond).DefaultIfEmpty(0).Average(),
                MaxGradNorm = runs.SelectMany(r => r.Metrics).Select(m => m.GradNorm).Where(double.IsFinite).DefaultIfEmpty(0).Max(),
                MaxAttentionLogit = runs.Select(r => r.MaxAttentionLogit).Max(),
                LossSpikes = runs.Where(r => r.Summary != null).Sum(r => r.Summary!.LossSpikes),
                ExpertLoadMax = LastLoad(runs, m => m.ExpertLoadMax),
                ExpertLoadMin = LastLoad(runs, m => m.ExpertLoadMin),
                SeedLosses = finals.OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList(),
            });
        }
        return rows;
    }

    static double? LastLoad(IReadOnlyList<RunResult> runs, Func<Training.MetricsRow, double?> pick)
    {
        var values = runs.Select(r => r.Metrics.LastOrDefault(m => pick(m) != null)).Where(m => m != null).Select(m => pick(m!)!.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    /// <summary>
    /// Learning-rate sensitivity (Wortsman et al. 2023, arXiv 2309.14322): over the grid, the mean of min(loss(lr),
    /// loss at initialisation) minus the best loss, per seed that ran the whole grid, summarised over those seeds.
    /// 0 means every grid value is as good as the best; it grows as the loss climbs away from the optimum.
    /// </summary>
    static SampleSummary? Sensitivity(IReadOnlyList<RunResult> runs)
    {
        var points = runs.Select(r => r.SweepPoint).Distinct().Count();
        var perSeed = runs.GroupBy(r => r.Seed)
            .Where(s => s.Count() == points && s.All(r => r.ScoredValLoss != null && r.Metrics.Count > 0))
            .Select(s =>
            {
                var initial = s.First().Metrics[0].TrainLoss;
                var losses = s.Select(r => r.ScoredValLoss!.Value).ToList();
                return losses.Average(l => Math.Min(l, initial)) - losses.Min();
            }).ToList();
        return perSeed.Count > 0 ? Statistics.Summarize(perSeed) : null;
    }

    static SampleSummary? Summary(IEnumerable<double?> values)
    {
        var present = values.Where(v => v != null).Select(v => v!.Value).ToList();
        return present.Count > 0 ? Statistics.Summarize(present) : null;
    }

    /// <summary>Each finished seed's scored validation loss (a diverged run at its initial loss), by seed.</summary>
    static Dictionary<int, double> Scored(IReadOnlyList<RunResult> runs) =>
        runs.Where(r => r.ScoredValLoss != null).ToDictionary(r => r.Seed, r => r.ScoredValLoss!.Value);
}
