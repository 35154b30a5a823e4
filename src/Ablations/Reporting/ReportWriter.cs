using System.Text;

namespace Ablations.Reporting;

/// <summary>
/// results/REPORT.md: every experiment folder under the results root, with its table and figures. The figures
/// (PNG) are copied to results/figures/EXPERIMENT/ so the report and its images can be committed together.
/// </summary>
public static class ReportWriter
{
    public static string Write(string resultsRoot, string regenerateCommand)
    {
        resultsRoot = Path.GetFullPath(resultsRoot);
        var experiments = Directory.Exists(resultsRoot)
            ? Directory.GetDirectories(resultsRoot).Where(d => File.Exists(Path.Combine(d, Experiments.ExperimentManifest.FileName))).Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        var sb = new StringBuilder();
        sb.AppendLine("# Ablation report");
        sb.AppendLine();
        sb.AppendLine($"Regenerate with `{regenerateCommand}`. Each table row is a variant over its seeds: final validation loss as");
        sb.AppendLine("mean ± sample standard deviation with a 95% Student-t interval, and its difference from the baseline with a");
        sb.AppendLine("two-sided Welch t-test. Parameters include embeddings; the KV cache is per token over all layers in bf16.");
        sb.AppendLine();
        if (experiments.Count == 0) sb.AppendLine("No experiment results yet: run `ablate run experiments/<file>.yaml` first.");
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
            var rows = ResultTable.Build(results);
            if (rows.Count > 0) sb.AppendLine(TableFormatter.Format(rows, TableFormat.Md));
            var figures = Path.Combine(resultsRoot, "figures", name);
            if (Directory.Exists(figures)) Directory.Delete(figures, recursive: true);
            var plots = Plots.WriteAll(results, figures);
            foreach (var svg in Directory.GetFiles(figures, "*.svg")) File.Delete(svg);   // PNG only in the committed report
            foreach (var plot in plots)
                sb.AppendLine($"![{plot}](figures/{name}/{plot}.png)");
            sb.AppendLine();
        }
        var path = Path.Combine(resultsRoot, "REPORT.md");
        Training.AtomicFile.WriteAllText(path, sb.ToString());
        return path;
    }
}
