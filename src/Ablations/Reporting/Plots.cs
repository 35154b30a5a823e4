using Ablations.Common;
using System.Globalization;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Experiments;
using Ablations.Training;
using ScottPlot;

namespace Ablations.Reporting;

/// <summary>
/// The drawings behind <see cref="FigureCatalog"/>, as PNG (and SVG when asked): training loss (smoothed) and
/// validation loss per variant with a band over seeds, gradient norm and largest attention logit, learning-rate
/// sensitivity when the experiment sweeps lr, and KV-cache size against context length. Each writes its
/// file(s) into a folder and returns their names without extension.
/// </summary>
public static class Plots
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> LossTrain(ExperimentResults results, string folder, FigureOptions options) =>
        Curves(results, folder, options, FigureName.LossTrain, "Training loss", "training loss (nats/token, smoothed)", options.LogY,
            r => r.Metrics.Select(m => (m, (double?)m.TrainLoss)).ToList(), smooth: true);

    public static IReadOnlyList<string> LossVal(ExperimentResults results, string folder, FigureOptions options) =>
        Curves(results, folder, options, FigureName.LossVal, "Validation loss", "validation loss (nats/token)", options.LogY,
            r => r.Metrics.Where(m => m.ValLoss != null).Select(m => (m, m.ValLoss)).ToList(), smooth: false);

    // Gradient norms span decades, so this one is always on a log axis.
    public static IReadOnlyList<string> GradNorm(ExperimentResults results, string folder, FigureOptions options) =>
        Curves(results, folder, options, FigureName.GradNorm, "Gradient norm", "global gradient norm (before clipping)", logY: true,
            r => r.Metrics.Select(m => (m, (double?)m.GradNorm)).ToList(), smooth: true);

    public static IReadOnlyList<string> MaxAttnLogit(ExperimentResults results, string folder, FigureOptions options) =>
        Curves(results, folder, options, FigureName.MaxAttnLogit, "Largest attention logit", "max attention logit q·k/√d", options.LogY,
            r => r.Metrics.Where(m => m.MaxAttnLogit is double v && double.IsFinite(v)).Select(m => (m, m.MaxAttnLogit)).ToList(), smooth: false);

    /// <summary>Whether any run logged its largest attention logit.</summary>
    public static bool HasLogits(ExperimentResults results) => results.Runs.Any(r => r.Metrics.Any(m => m.MaxAttnLogit != null));

    /// <summary>
    /// One figure per panel. Curves compare variants: at each variant's best learning rate when the sweep is over
    /// lr, and separately per sweep point otherwise (a sweep over the data source must not mix sources in one plot).
    /// </summary>
    static IReadOnlyList<string> Curves(ExperimentResults results, string folder, FigureOptions options, FigureName figure, string title, string yLabel,
        bool logY, Func<RunResult, List<(MetricsRow Row, double? Value)>> select, bool smooth)
    {
        var lrKey = LrKey(results);
        var panels = FixedPoints(results, lrKey)
            .Select(p => (Suffix: p.Length == 0 ? "" : "_" + p,
                Note: p.Length == 0 ? (lrKey != null ? " (best learning rate per variant)" : "") : $" ({p}{(lrKey != null ? ", best learning rate per variant" : "")})",
                Groups: CurveGroups(results, lrKey, p))).ToArray();
        var written = new List<string>();
        foreach (var (suffix, note, curves) in panels)
        {
            if (curves.Count == 0) continue;
            var seeds = curves.Max(c => c.Runs.Count);
            var band = seeds > 1 ? $"; band: min-max over {seeds} seeds" : "";
            written.Add(Curve(folder, SnakeCase.Of(figure.ToString()) + suffix, $"{title}{note}", yLabel, curves, options, logY, band, select, smooth));
        }
        return written;
    }

    sealed record CurveGroup(string Label, IReadOnlyList<RunResult> Runs);

    /// <summary>
    /// The points of the sweep's axes other than the learning rate, one panel each ("" alone without them): a sweep
    /// over the data source must not mix sources in one plot.
    /// </summary>
    static List<string> FixedPoints(ExperimentResults results, string? lrKey) =>
        results.Runs.Select(r => Fixed(r.SweepPoint, lrKey)).Distinct().Order(StringComparer.Ordinal).DefaultIfEmpty("").ToList();

    static string Fixed(string point, string? lrKey) => lrKey == null ? point : TuneGroups.Fixed(point, lrKey);

    /// <summary>
    /// One group per variant: its runs at the given point of the other axes, at its best learning rate there (the
    /// tuned choice, or the lowest mean final validation loss).
    /// </summary>
    static List<CurveGroup> CurveGroups(ExperimentResults results, string? lrKey, string fixedPoint)
    {
        var groups = new List<CurveGroup>();
        foreach (var variant in results.Manifest.Variants)
        {
            var points = results.Groups().Where(g => g.Variant == variant && Fixed(g.SweepPoint, lrKey) == fixedPoint && g.Runs.Any(r => r.Metrics.Count > 0)).ToList();
            if (points.Count == 0) continue;
            var chosen = results.Manifest.BestOf(variant, fixedPoint);
            var best = points.Any(p => p.SweepPoint == chosen)
                ? points.First(p => p.SweepPoint == chosen)
                : points.OrderBy(p => p.Runs.Where(r => r.FinalValLoss != null).Select(r => r.FinalValLoss!.Value).DefaultIfEmpty(double.MaxValue).Average()).First();
            var own = string.Join(",", best.SweepPoint.Split(',', StringSplitOptions.RemoveEmptyEntries).Except(fixedPoint.Split(',', StringSplitOptions.RemoveEmptyEntries)));
            groups.Add(new CurveGroup(own.Length > 0 ? $"{variant} ({own})" : variant, best.Runs));
        }
        return groups;
    }

    static string Curve(string folder, string name, string title, string yLabel, List<CurveGroup> groups, FigureOptions options, bool logY,
        string band, Func<RunResult, List<(MetricsRow Row, double? Value)>> select, bool smooth)
    {
        var (axis, logX) = (options.Axis, options.LogX);
        var plot = PlotStyle.New(title + band, axis == PlotAxis.Steps ? "step" : "tokens seen", yLabel);
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int i = 0; i < groups.Count; i++)
        {
            var series = groups[i].Runs
                .Select(r => select(r).Where(p => p.Value is double v && double.IsFinite(v)).ToList())
                .Where(s => s.Count > 0)
                .Select(s =>
                {
                    var values = s.Select(p => p.Value!.Value).ToArray();
                    if (smooth) values = Smooth(values);
                    return s.Select((p, k) => (X: axis == PlotAxis.Steps ? p.Row.Step : (double)p.Row.Tokens, Y: values[k])).ToDictionary(p => p.X, p => p.Y);
                }).ToList();
            if (series.Count == 0) continue;
            var xs = series.SelectMany(s => s.Keys).Distinct().Order().Where(x => series.All(s => s.ContainsKey(x))).ToArray();
            if (xs.Length == 0) continue;
            double T(double v, bool log) => log ? Math.Log10(Math.Max(v, 1e-12)) : v;
            var px = xs.Select(x => T(x, logX)).ToArray();
            var mean = xs.Select(x => T(series.Average(s => s[x]), logY)).ToArray();
            xMin = Math.Min(xMin, px.Min()); xMax = Math.Max(xMax, px.Max());
            yMin = Math.Min(yMin, xs.Min(x => T(series.Min(s => s[x]), logY))); yMax = Math.Max(yMax, xs.Max(x => T(series.Max(s => s[x]), logY)));
            var color = PlotStyle.ColorOf(i);
            if (series.Count > 1)
            {
                var fill = plot.Add.FillY(px, xs.Select(x => T(series.Min(s => s[x]), logY)).ToArray(), xs.Select(x => T(series.Max(s => s[x]), logY)).ToArray());
                fill.FillColor = color.WithAlpha(0.18);
                fill.LineWidth = 0;
            }
            PlotStyle.AddSeries(plot, px, mean, i, groups[i].Label);
        }
        if (logX) PlotStyle.LogAxis(plot.Axes.Bottom, xMin, xMax, v => Units.Count(v));
        if (logY) PlotStyle.LogAxis(plot.Axes.Left, yMin, yMax, v => v.ToString("G3", Inv));
        PlotStyle.Save(plot, Path.Combine(folder, name), options);
        return name;
    }

    /// <summary>Exponential moving average (0.9) with bias correction, as TensorBoard smooths.</summary>
    static double[] Smooth(double[] values, double beta = 0.9)
    {
        var result = new double[values.Length];
        double avg = 0;
        for (int i = 0; i < values.Length; i++)
        {
            avg = beta * avg + (1 - beta) * values[i];
            result[i] = avg / (1 - Math.Pow(beta, i + 1));
        }
        return result;
    }

    /// <summary>The swept learning-rate key, if the experiment sweeps one.</summary>
    public static string? LrKey(ExperimentResults results) =>
        results.Manifest.SweepKeys.FirstOrDefault(k => k == "train.lr" || k.EndsWith(".lr") || k == "lr");

    /// <summary>
    /// Final validation loss against learning rate per variant: the mean over the seeds at each grid value, a band
    /// from the lowest to the highest seed, a diverged seed scored at its initial loss (so a curve climbs to the
    /// initial loss where training fails, as Wortsman et al. 2023 draw it) and marked ×, and each variant's chosen
    /// value ringed when the experiment tunes.
    /// </summary>
    public static IReadOnlyList<string> LrSensitivity(ExperimentResults results, string folder, FigureOptions options)
    {
        var lrKey = LrKey(results) ?? throw new InvalidOperationException("lr_sensitivity needs a sweep over the learning rate");
        return FixedPoints(results, lrKey).Select(p => LrSensitivity(results, folder, options, lrKey, p)).ToList();
    }

    static string LrSensitivity(ExperimentResults results, string folder, FigureOptions options, string lrKey, string fixedPoint)
    {
        var plot = PlotStyle.New($"Final loss vs learning rate{(fixedPoint.Length > 0 ? $" ({fixedPoint})" : "")} (band: seed range; ×: diverged, at initial loss)",
            "learning rate", "final val loss (nats/token), seed mean");
        var variants = results.Manifest.Variants;
        for (int i = 0; i < variants.Count; i++)
        {
            var points = results.Groups().Where(g => g.Variant == variants[i] && Fixed(g.SweepPoint, lrKey) == fixedPoint)
                .Select(g => (Lr: Lr(g.Runs[0], lrKey), Point: g.SweepPoint, Losses: g.Runs.Where(r => r.ScoredValLoss != null).Select(r => r.ScoredValLoss!.Value).ToList(), Diverged: g.Runs.Where(r => r.Diverged && r.ScoredValLoss != null).Select(r => r.ScoredValLoss!.Value).ToList()))
                .Where(p => p.Lr > 0 && p.Losses.Count > 0).OrderBy(p => p.Lr).ToList();
            if (points.Count == 0) continue;
            var xs = points.Select(p => Math.Log10(p.Lr)).ToArray();
            var color = PlotStyle.ColorOf(i);
            if (points.Any(p => p.Losses.Count > 1))
            {
                var band = plot.Add.FillY(xs, points.Select(p => p.Losses.Min()).ToArray(), points.Select(p => p.Losses.Max()).ToArray());
                band.FillColor = color.WithAlpha(0.18);
                band.LineWidth = 0;
            }
            PlotStyle.AddSeries(plot, xs, points.Select(p => p.Losses.Average()).ToArray(), i, variants[i], 8);
            var crosses = points.SelectMany(p => p.Diverged.Select(l => (X: Math.Log10(p.Lr), Y: l))).ToList();
            if (crosses.Count > 0)
            {
                var marks = plot.Add.Scatter(crosses.Select(c => c.X).ToArray(), crosses.Select(c => c.Y).ToArray());
                marks.Color = color; marks.LineWidth = 0; marks.MarkerShape = MarkerShape.Eks; marks.MarkerSize = 12;
            }
            if (results.Manifest.BestOf(variants[i], fixedPoint) is { } best && points.FirstOrDefault(p => p.Point == best) is { Losses.Count: > 0 } chosen)
            {
                var ring = plot.Add.Scatter(new[] { Math.Log10(chosen.Lr) }, new[] { chosen.Losses.Average() });
                ring.Color = color; ring.LineWidth = 0; ring.MarkerShape = MarkerShape.OpenCircle; ring.MarkerSize = 18;
            }
        }
        LrTicks(plot, results, lrKey);
        return Save(plot, folder, FigureName.LrSensitivity, options, suffix: fixedPoint.Length > 0 ? "_" + fixedPoint : "");
    }

    public static IReadOnlyList<string> MaxAttnLogitVsLr(ExperimentResults results, string folder, FigureOptions options)
    {
        var lrKey = LrKey(results) ?? throw new InvalidOperationException("max_attn_logit_vs_lr needs a sweep over the learning rate");
        return FixedPoints(results, lrKey).Select(p => MaxAttnLogitVsLr(results, folder, options, lrKey, p)).ToList();
    }

    static string MaxAttnLogitVsLr(ExperimentResults results, string folder, FigureOptions options, string lrKey, string fixedPoint)
    {
        var plot = PlotStyle.New($"Largest attention logit vs learning rate{(fixedPoint.Length > 0 ? $" ({fixedPoint})" : "")}", "learning rate", "max attention logit (mean over seeds)");
        var variants = results.Manifest.Variants;
        double lo = double.MaxValue, hi = double.MinValue;
        for (int i = 0; i < variants.Count; i++)
        {
            var pts = results.Groups().Where(g => g.Variant == variants[i] && Fixed(g.SweepPoint, lrKey) == fixedPoint)
                .Select(g => (Lr: Lr(g.Runs[0], lrKey), Logit: g.Runs.Where(r => r.MaxAttentionLogit != null).Select(r => r.MaxAttentionLogit!.Value).DefaultIfEmpty(double.NaN).Average()))
                .Where(p => p.Lr > 0 && double.IsFinite(p.Logit)).OrderBy(p => p.Lr).ToList();
            if (pts.Count == 0) continue;
            PlotStyle.AddSeries(plot, pts.Select(p => Math.Log10(p.Lr)).ToArray(), pts.Select(p => Math.Log10(Math.Max(p.Logit, 1e-3))).ToArray(), i, variants[i], 8);
            lo = Math.Min(lo, pts.Min(p => Math.Log10(Math.Max(p.Logit, 1e-3)))); hi = Math.Max(hi, pts.Max(p => Math.Log10(Math.Max(p.Logit, 1e-3))));
        }
        PlotStyle.LogAxis(plot.Axes.Left, lo, hi, v => v >= 1000 ? Units.Count(v) : v.ToString("G3", Inv));
        LrTicks(plot, results, lrKey);
        return Save(plot, folder, FigureName.MaxAttnLogitVsLr, options, suffix: fixedPoint.Length > 0 ? "_" + fixedPoint : "");
    }

    /// <summary>A tick at each learning rate of the grid (on its log10 position), labelled with its value.</summary>
    static void LrTicks(Plot plot, ExperimentResults results, string lrKey)
    {
        var lrs = results.Runs.Select(r => Lr(r, lrKey)).Where(v => v > 0).Distinct().Order().ToArray();
        if (lrs.Length > 0) plot.Axes.Bottom.SetTicks(lrs.Select(Math.Log10).ToArray(), lrs.Select(v => v.ToString("G2", Inv)).ToArray());
    }

    static double Lr(RunResult run, string key) =>
        run.SweepValues.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, Inv, out var v) ? v : run.Config.Train.Lr;

    public static IReadOnlyList<string> KvCache(ExperimentResults results, string folder, FigureOptions options)
    {
        var plot = PlotStyle.New("KV cache of one sequence (bf16, from the configuration; windowed layers capped)", "context length (tokens)", "KV cache");
        var powers = Enumerable.Range(7, (int)Math.Log2(LongContext.Tokens) - 6).ToArray();   // 128 tokens .. the long context
        var variants = results.Manifest.Variants;
        double lo = double.MaxValue, hi = double.MinValue;
        for (int i = 0; i < variants.Count; i++)
        {
            var run = results.Runs.FirstOrDefault(r => r.Variant == variants[i]);
            if (run == null) continue;
            var ys = powers.Select(p => Math.Log2(Math.Max(1, Inspector.Inspect(run.Config.Model, 1L << p, "bf16").KvBytesAtContext))).ToArray();
            lo = Math.Min(lo, ys.Min()); hi = Math.Max(hi, ys.Max());
            PlotStyle.AddSeries(plot, powers.Select(p => (double)p).ToArray(), ys, i, variants[i]);
        }
        PlotStyle.Log2Ticks(plot.Axes.Bottom, powers[0], powers[^1], v => v >= 1024 ? $"{v / 1024:0}K" : $"{v:0}");
        if (lo <= hi) PlotStyle.Log2Ticks(plot.Axes.Left, lo, hi, v => Units.Bytes(v).Replace(".00 ", " ").Replace(".0 ", " "));
        return new[] { Save(plot, folder, FigureName.KvCache, options, Alignment.UpperLeft) };
    }

    static string Save(Plot plot, string folder, FigureName figure, FigureOptions options, Alignment legend = Alignment.UpperRight, string suffix = "")
    {
        var name = SnakeCase.Of(figure.ToString()) + suffix;
        PlotStyle.Save(plot, Path.Combine(folder, name), options, legend);
        return name;
    }
}
