using Ablations.Analysis;
using Ablations.Experiments;

namespace Ablations.Reporting;

/// <summary>
/// Every figure there is, by name. `ablate plot` draws those that apply to an experiment; the report first
/// chooses the few that carry its verdicts and draws only those.
/// </summary>
public static class FigureCatalog
{
    public static IReadOnlyList<Figure> All { get; } = new Figure[]
    {
        new(FigureName.LossTrain, HasCurves, Plots.LossTrain),
        new(FigureName.LossVal, HasCurves, Plots.LossVal),
        new(FigureName.GradNorm, HasCurves, Plots.GradNorm),
        new(FigureName.MaxAttnLogit, Plots.HasLogits, Plots.MaxAttnLogit),
        new(FigureName.LrSensitivity, r => Plots.LrKey(r) != null, Plots.LrSensitivity),
        new(FigureName.MaxAttnLogitVsLr, r => Plots.LrKey(r) != null && Plots.HasLogits(r), Plots.MaxAttnLogitVsLr),
        new(FigureName.KvCache, r => r.Runs.Count > 0, Plots.KvCache),
    };

    public static IReadOnlyList<Figure> Applicable(ExperimentResults results) => All.Where(f => f.AppliesTo(results)).ToList();

    /// <summary>
    /// The report's figures: the experiment's report_figures, else validation loss, lr sensitivity, the attention
    /// logit against lr, and the KV cache only when the variants' caches differ (otherwise it says nothing).
    /// </summary>
    public static IReadOnlyList<Figure> ForReport(ExperimentResults results)
    {
        var chosen = results.Manifest.ReportFigures.Count > 0
            ? results.Manifest.ReportFigures
            : new[] { FigureName.LossVal, FigureName.LrSensitivity, FigureName.MaxAttnLogitVsLr }.Concat(KvDiffers(results) ? new[] { FigureName.KvCache } : []).ToList();
        return Applicable(results).Where(f => chosen.Contains(f.Name)).ToList();
    }

    /// <summary>Draws <paramref name="figures"/> into <paramref name="folder"/>; returns the names of the files written (without extension).</summary>
    public static IReadOnlyList<string> Draw(IEnumerable<Figure> figures, ExperimentResults results, string folder, FigureOptions options)
    {
        Directory.CreateDirectory(folder);
        return figures.SelectMany(f => f.Draw(results, folder, options)).ToList();
    }

    static bool HasCurves(ExperimentResults results) => results.Runs.Any(r => r.Metrics.Count > 0);

    static bool KvDiffers(ExperimentResults results) =>
        results.Runs.Select(r => Inspector.Inspect(r.Config.Model, LongContext.Tokens, "bf16").KvBytesAtContext).Distinct().Count() > 1;
}
