using System.Text;

namespace Ablations.Reporting;

/// <summary>
/// results/REPORT.md: every experiment folder under the results root, with its table and figures. The figures
/// (PNG) are copied to results/figures/EXPERIMENT/ so the report and its images can be committed together.
/// </summary>
public static class ReportWriter
{
    static bool KvDiffers(ExperimentResults results) =>
        results.Runs.Select(r => Analysis.Inspector.Inspect(r.Config.Model, 32768, "bf16").KvBytesAtContext).Distinct().Count() > 1;

    public static string Write(string resultsRoot, string regenerateCommand)
    {
        resultsRoot = Path.GetFullPath(resultsRoot);
        var experiments = Directory.Exists(resultsRoot)
            ? Directory.GetDirectories(resultsRoot).Where(d => File.Exists(Path.Combine(d, Experiments.ExperimentManifest.FileName))).Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        var sb = new StringBuilder();
        sb.AppendLine("# Ablation report");
        sb.AppendLine();
        var files = experiments.Select(e => Experiments.ExperimentManifest.Read(e)!)
            .Select(m => (m.Scale, File: Path.GetRelativePath(Directory.GetCurrentDirectory(), m.File))).ToList();
        var scales = files.Select(f => f.Scale).Distinct().ToList();
        var rerun = $"ablate run {string.Join(' ', files.Select(f => f.File))}{(scales.Count == 1 && scales[0] is { } sc ? $" --scale {sc}" : "")} --jobs 2 --report";
        sb.AppendLine($"Regenerate everything (train every run, then this report) with `{rerun}`; rebuild only the report from");
        sb.AppendLine($"the run folders with `{regenerateCommand}`. Each table row is a variant over its seeds: final validation loss as");
        sb.AppendLine("mean ± sample standard deviation with a 95% Student-t interval, and its difference from the baseline with a");
        sb.AppendLine("two-sided Welch t-test. Parameters include embeddings; the KV cache is per token over all layers in bf16.");
        sb.AppendLine();
        if (experiments.Count == 0) sb.AppendLine("No experiment results yet: run `ablate run experiments/<file>.yaml` first.");
        var figuresRoot = Path.Combine(resultsRoot, "figures");
        if (Directory.Exists(figuresRoot)) Directory.Delete(figuresRoot, recursive: true);   // figures of experiments no longer there go too
        foreach (var folder in experiments)
        {
            var results = ExperimentResults.Load(folder);
            var name = Path.GetFileName(folder);
            sb.AppendLine($"## {name}");
            sb.AppendLine();
            if (results.Manifest.Description.Length > 0) { sb.AppendLine(results.Manifest.Description.Trim()); sb.AppendLine(); }
            var complete = results.Runs.Count(r => r.Complete);
            sb.AppendLine($"Source: `{Path.GetRelativePath(Directory.GetCurrentDirectory(), results.Manifest.File)}`, scale `{results.Manifest.Scale ?? "none"}`, " +
                          $"{complete} of {results.Manifest.Runs.Count} runs complete.");
            sb.AppendLine();
            if (results.Manifest.Claims.Count > 0)
            {
                sb.AppendLine("| claim | our measurement |");
                sb.AppendLine("|---|---|");
                foreach (var claim in results.Manifest.Claims)
                    sb.AppendLine($"| {claim.Text} | {ClaimCheck.Verdict(results, claim)} |");
                sb.AppendLine();
            }
            var rows = ResultTable.Build(results);
            if (rows.Count > 0) sb.AppendLine(TableFormatter.Format(rows, TableFormat.Md));
            var figures = Path.Combine(resultsRoot, "figures", name);
            if (Directory.Exists(figures)) Directory.Delete(figures, recursive: true);
            var previous = PlotStyle.Size;
            PlotStyle.Size = (600, 380);
            IReadOnlyList<string> plots;
            try { plots = Plots.WriteAll(results, figures); }
            finally { PlotStyle.Size = previous; }
            // The committed report keeps PNGs of the figures that carry its verdicts; the rest stay in results/<experiment>/plots.
            var chosen = results.Manifest.ReportFigures.Select(f => Config.SnakeCase.Of(f.ToString())).ToList();
            var kept = chosen.Count > 0
                ? plots.Where(p => chosen.Any(c => p.StartsWith(c, StringComparison.Ordinal))).ToList()
                : plots.Where(p => p.StartsWith("loss_val") || p is "lr_sensitivity" or "max_attn_logit_vs_lr" || (p == "kv_cache" && KvDiffers(results))).ToList();
            foreach (var file in Directory.GetFiles(figures))
                if (!kept.Contains(Path.GetFileNameWithoutExtension(file)) || file.EndsWith(".svg")) File.Delete(file);
            foreach (var plot in kept)
                sb.AppendLine($"![{plot}](figures/{name}/{plot}.png)");
            sb.AppendLine();
        }
        var path = Path.Combine(resultsRoot, "REPORT.md");
        var total = Directory.Exists(Path.Combine(resultsRoot, "figures"))
            ? Directory.GetFiles(Path.Combine(resultsRoot, "figures"), "*.png", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
        sb.AppendLine($"_Figures: {Units.Bytes(total)} of PNG. Every figure also exists as PNG and SVG, with training-loss, gradient-norm and attention-logit curves, under results/<experiment>/plots/ after `ablate run`._");
        Training.AtomicFile.WriteAllText(path, sb.ToString());
        return path;
    }
}
