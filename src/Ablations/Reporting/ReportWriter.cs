using Ablations.Common;
using System.Text;
using Ablations.Experiments;

namespace Ablations.Reporting;

/// <summary>
/// results/REPORT.md: every experiment folder under the results root, with its table and the figures it chose
/// (PNG, in results/figures/EXPERIMENT/) so the report and its images can be committed together. Everything is
/// written into a temporary folder first and swapped in only when the whole report succeeded, so a failed
/// report leaves the previous one and its figures as they were.
/// </summary>
public static class ReportWriter
{
    const string FiguresFolder = "figures";
    const string FileName = "REPORT.md";

    /// <param name="warn">Told of every damaged experiment or run left out (the report says so too).</param>
    public static string Write(string resultsRoot, string regenerateCommand, Action<string>? warn = null)
    {
        resultsRoot = Path.GetFullPath(resultsRoot);
        if (!Directory.Exists(resultsRoot))
            throw new Config.ConfigException(File.Exists(resultsRoot) ? "is a file, expected the results folder" : "folder not found", resultsRoot);
        CheckOwnOutputs(resultsRoot);
        // Beside the results, so the swap is a rename on one file system; the dot keeps it from looking like an experiment.
        var staging = Directory.CreateDirectory(Path.Combine(resultsRoot, $".report-{Guid.NewGuid():N}")).FullName;
        try
        {
            File.WriteAllText(Path.Combine(staging, FileName), Compose(resultsRoot, Path.Combine(staging, FiguresFolder), regenerateCommand, warn));
            return Publish(resultsRoot, staging);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    static string Compose(string resultsRoot, string figuresRoot, string regenerateCommand, Action<string>? warn)
    {
        var found = Directory.GetDirectories(resultsRoot).Where(d => File.Exists(Path.Combine(d, ExperimentManifest.FileName))).Order(StringComparer.Ordinal).ToList();
        if (found.Count == 0)
            throw new Config.ConfigException($"no experiment results here (no folder with {ExperimentManifest.FileName}): run `ablate run experiments/<file>.yaml` first", resultsRoot);
        var experiments = new List<(string Folder, ExperimentResults Results)>();
        var skipped = new List<string>();
        foreach (var folder in found)
        {
            try { experiments.Add((folder, ExperimentResults.Load(folder, warn))); }
            catch (Config.ConfigException e) { skipped.Add($"{e.Message}; this experiment is left out"); }
        }
        if (experiments.Count == 0)
            throw new Config.ConfigException($"no readable experiment results here: {string.Join("; ", skipped)}", resultsRoot);
        foreach (var s in skipped) warn?.Invoke(s);   // told once: in the error when nothing is left, else as warnings
        var sb = new StringBuilder();
        sb.AppendLine("# Ablation report");
        sb.AppendLine();
        var files = experiments.Select(e => e.Results.Manifest)
            .Select(m => (m.Scale, File: Path.GetRelativePath(Directory.GetCurrentDirectory(), m.File))).ToList();
        var scales = files.Select(f => f.Scale).Distinct().ToList();
        var rerun = $"ablate run {string.Join(' ', files.Select(f => f.File))}{(scales.Count == 1 && scales[0] is { } sc ? $" --scale {sc}" : "")} --jobs 2 --report";
        sb.AppendLine($"Regenerate everything (train every run, then this report) with `{rerun}`; rebuild only the report from");
        sb.AppendLine($"the run folders with `{regenerateCommand}`. Each table row is a variant at one point of its grid over its seeds:");
        sb.AppendLine("final validation loss as mean ± sample standard deviation with a 95% Student-t interval, and its difference from");
        sb.AppendLine("the baseline (a best row from the baseline's best). Parameters include embeddings; the KV cache is per token over");
        sb.AppendLine("all layers in bf16.");
        sb.AppendLine();
        // Every claim of the report is tested first, so the correction covers them all.
        var tests = experiments.SelectMany(e => e.Results.Manifest.Claims.Select(c => ClaimCheck.Evaluate(e.Results, c))).ToList();
        var verdicts = ClaimCheck.Verdicts(tests);
        var tables = experiments.Select(e => (e.Results, Rows: ResultTable.Build(e.Results))).ToList();
        sb.AppendLine(ProtocolSummary.Describe(tables, tests.Count(t => t.Exact == null)));
        sb.AppendLine();
        var claimIndex = 0;
        foreach (var reason in skipped) sb.AppendLine($"> Left out: {reason}.");
        if (skipped.Count > 0) sb.AppendLine();
        for (int e = 0; e < experiments.Count; e++)
        {
            var (folder, results) = experiments[e];
            var name = Path.GetFileName(folder);
            sb.AppendLine($"## {name}");
            sb.AppendLine();
            if (results.Manifest.Description.Length > 0) { sb.AppendLine(results.Manifest.Description.Trim()); sb.AppendLine(); }
            var complete = results.Runs.Count(r => r.Complete);
            sb.AppendLine($"Source: `{Path.GetRelativePath(Directory.GetCurrentDirectory(), results.Manifest.File)}`, scale `{results.Manifest.Scale ?? "none"}`, " +
                          $"{complete} of {results.Manifest.Runs.Count} runs complete.");
            sb.AppendLine();
            foreach (var reason in results.Skipped) sb.AppendLine($"> Left out: {reason}.");
            if (results.Skipped.Count > 0) sb.AppendLine();
            var disagreeing = new List<ClaimEntry>();
            if (results.Manifest.Claims.Count > 0)
            {
                sb.AppendLine("| claim | our measurement |");
                sb.AppendLine("|---|---|");
                foreach (var claim in results.Manifest.Claims)
                {
                    if (verdicts[claimIndex].Disagrees || ClaimCheck.PointsAgainst(tests[claimIndex])) disagreeing.Add(claim);
                    sb.AppendLine($"| {claim.Text} | {verdicts[claimIndex++].Text} |");
                }
                sb.AppendLine();
            }
            // Where a verdict disagrees with the published result, or cannot tell while the measurement points against
            // it, the evidence: the sweep behind it and the curves.
            foreach (var claim in disagreeing) sb.Append(ClaimEvidence.Describe(results, claim, $"{FiguresFolder}/{name}/loss_val*.png"));
            var rows = tables[e].Rows;
            if (rows.Count > 0) sb.AppendLine(TableFormatter.Format(rows, TableFormat.Md));
            // The committed report keeps PNGs of the figures that carry its verdicts; the rest stay in results/<experiment>/plots.
            var drawn = FigureCatalog.Draw(FigureCatalog.ForReport(results), results, Path.Combine(figuresRoot, name), FigureOptions.Report);
            foreach (var figure in drawn)
                sb.AppendLine($"![{figure}]({FiguresFolder}/{name}/{figure}.png)");
            sb.AppendLine();
            if (results.Latency is { } latency) sb.Append(LatencyTable.Format(latency, results.Manifest.Baseline));
        }
        var total = Directory.Exists(figuresRoot)
            ? Directory.GetFiles(figuresRoot, "*.png", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
        sb.AppendLine($"_Figures: {Units.Bytes(total)} of PNG. Every figure also exists as PNG and SVG, with training-loss, gradient-norm and attention-logit curves, under results/<experiment>/plots/ after `ablate run`._");
        return sb.ToString();
    }

    /// <summary>
    /// Swaps the staged figures and report in. The previous figures move into the staging folder (deleted with it),
    /// so figures of experiments no longer there go too; if the new ones cannot move in, the old ones move back.
    /// </summary>
    /// <summary>Marks results/figures as the report's own, so a later report may replace it whole.</summary>
    const string FiguresMarker = ".ablate-figures";

    /// <summary>
    /// The report replaces REPORT.md and the figures folder whole: both must be its own. A REPORT.md that is not an
    /// ablation report, or a figures folder that is a link, holds the user's files, or (written before the marker)
    /// holds anything but image folders of this results folder's experiments, is refused before anything is written.
    /// </summary>
    static void CheckOwnOutputs(string resultsRoot)
    {
        var report = Path.Combine(resultsRoot, FileName);
        if (Directory.Exists(report) || (File.Exists(report) && File.ReadLines(report).FirstOrDefault() != "# Ablation report"))
            throw new Config.ConfigException("is not a report this tool wrote (it does not start with '# Ablation report'); " +
                                             "move it, or choose another --results: nothing was written", report);
        var figures = new DirectoryInfo(Path.Combine(resultsRoot, FiguresFolder));
        if (File.Exists(figures.FullName) || (figures.Exists && figures.LinkTarget != null))
            throw new Config.ConfigException("is not the report's figures folder (a file or a link); move it: nothing was written", figures.FullName);
        if (!figures.Exists || File.Exists(Path.Combine(figures.FullName, FiguresMarker))) return;
        // Written before the marker: image folders of experiments here, or of any experiment beside a report of ours.
        var besideReport = File.Exists(report);
        static bool IsImage(FileInfo f) => f.LinkTarget == null && f.Extension is ".png" or ".svg";
        var foreign = figures.EnumerateFileSystemInfos().FirstOrDefault(e =>
            e is not DirectoryInfo d || d.LinkTarget != null
            || !(besideReport || File.Exists(Path.Combine(resultsRoot, d.Name, ExperimentManifest.FileName)))
            || d.EnumerateFileSystemInfos().Any(f => f is not FileInfo fi || !IsImage(fi)));
        if (foreign != null)
            throw new Config.ConfigException($"is not the report's figures folder: it holds {foreign.Name}, which the report did not write; " +
                                             "the report replaces this folder whole, so move it: nothing was written", figures.FullName);
    }

    static string Publish(string resultsRoot, string staging)
    {
        var figures = Path.Combine(resultsRoot, FiguresFolder);
        var fresh = Path.Combine(staging, FiguresFolder);
        var previous = Path.Combine(staging, "previous-" + FiguresFolder);
        if (Directory.Exists(fresh)) File.WriteAllText(Path.Combine(fresh, FiguresMarker), "Written by ablate report, which replaces this folder whole.\n");
        if (Directory.Exists(figures)) Directory.Move(figures, previous);
        try
        {
            if (Directory.Exists(fresh)) Directory.Move(fresh, figures);
        }
        catch (IOException)
        {
            if (Directory.Exists(previous) && !Directory.Exists(figures)) Directory.Move(previous, figures);
            throw;
        }
        var report = Path.Combine(resultsRoot, FileName);
        File.Move(Path.Combine(staging, FileName), report, overwrite: true);
        return report;
    }
}
