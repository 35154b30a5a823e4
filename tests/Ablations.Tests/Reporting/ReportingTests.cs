using System.Globalization;
using System.Text.Json;
using Ablations.Experiments;
using Ablations.Reporting;
using Ablations.Tests.Experiments;
using Ablations.Training;

namespace Ablations.Tests.Reporting;

/// <summary>Tables, plots and the report from one small experiment with a learning-rate sweep, run once for the class.</summary>
public class ReportingFixture
{
    public string Folder { get; }
    public string Root { get; }

    public ReportingFixture()
    {
        var dir = TinyRuns.TempFolder("report-");
        var yaml = TinyExperiment.Yaml.Replace("scales:", "sweep:\n  train.lr: [3.0e-3, 3.0e-2]\nscales:");
        var spec = ExperimentLoader.Load(TinyExperiment.Write(dir, yaml));
        Root = Path.Combine(dir, "results");
        var runner = new ExperimentRunner(spec, "smoke", Root, new QuietObserver());
        runner.Run(spec.Expand("smoke"));
        Folder = runner.Folder;
    }
}

public class ReportingTests : IClassFixture<ReportingFixture>
{
    readonly ReportingFixture _f;

    public ReportingTests(ReportingFixture fixture) => _f = fixture;

    [Fact]
    public void One_row_per_variant_and_sweep_point_in_file_order_and_numeric_lr_order()
    {
        var rows = ResultTable.Build(ExperimentResults.Load(_f.Folder));
        Assert.Equal(new[] { "pre lr=3.0e-3", "pre lr=3.0e-2", "post lr=3.0e-3", "post lr=3.0e-2" }, rows.Select(r => $"{r.Variant} {r.SweepPoint}"));
        Assert.True(rows[0].IsBaseline);
        Assert.Null(rows[0].DeltaVsBaseline);
        // post is compared with pre at the same learning rate
        Assert.Equal(rows[3].SeedLosses.Average() - rows[1].SeedLosses.Average(), rows[3].DeltaVsBaseline!.Value, 12);
    }

    [Fact]
    public void Every_format_carries_the_same_numbers()
    {
        var rows = ResultTable.Build(ExperimentResults.Load(_f.Folder));
        var md = TableFormatter.Format(rows, TableFormat.Md);
        Assert.Contains("| pre (baseline) | lr=3.0e-3 |", md);
        Assert.Contains(rows[2].ValLoss!.Mean.ToString("F4", CultureInfo.InvariantCulture), md);

        var csvLines = TableFormatter.Format(rows, TableFormat.Csv).Trim().Split('\n');
        Assert.Equal(5, csvLines.Length);
        var header = csvLines[0].Split(',');
        var meanColumn = Array.IndexOf(header, "val_loss_mean");
        Assert.Equal(rows[2].ValLoss!.Mean, double.Parse(csvLines[3].Split(',')[meanColumn], CultureInfo.InvariantCulture), 12);

        var latex = TableFormatter.Format(rows, TableFormat.Latex);
        Assert.Contains("\\begin{tabular}", latex);
        Assert.Contains("$\\pm$", latex);

        using var json = JsonDocument.Parse(TableFormatter.Format(rows, TableFormat.Json));
        Assert.Equal(4, json.RootElement.GetArrayLength());
        Assert.Equal(rows[1].ValLoss!.Mean, json.RootElement[1].GetProperty("val_loss").GetProperty("mean").GetDouble(), 12);

        // Every run trained in fp32: csv and json say so; markdown shows the column only when a row is not fp32.
        Assert.Equal("fp32", csvLines[1].Split(',')[Array.IndexOf(header, "precision")]);
        Assert.Equal("fp32", json.RootElement[0].GetProperty("precision").GetString());
        Assert.DoesNotContain("precision", md);
        Assert.Contains("| bf16 |", TableFormatter.Format(rows.Select(r => r with { Precision = "bf16" }).ToList(), TableFormat.Md));
    }

    [Fact]
    public void Plots_include_lr_sensitivity_when_the_experiment_sweeps_lr()
    {
        var folder = Path.Combine(_f.Folder, "plots-test");
        var results = ExperimentResults.Load(_f.Folder);
        var names = FigureCatalog.Draw(FigureCatalog.Applicable(results), results, folder, new FigureOptions { Axis = PlotAxis.Tokens, LogX = true, LogY = true });
        foreach (var expected in new[] { "loss_train", "loss_val", "grad_norm", "max_attn_logit", "lr_sensitivity", "max_attn_logit_vs_lr", "kv_cache" })
        {
            Assert.Contains(expected, names);
            Assert.True(new FileInfo(Path.Combine(folder, expected + ".png")).Length > 5_000, expected);
            Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(folder, expected + ".svg")).TrimStart()[..200].Split('\n').First(l => l.Contains("<svg")).Trim());
        }
    }

    [Fact]
    public void Report_gathers_tables_and_png_figures()
    {
        var path = ReportWriter.Write(_f.Root, "ablate report");
        var text = File.ReadAllText(path);
        Assert.Contains("## tiny-exp.smoke", text);
        Assert.Contains("pre lr", text.Replace("| pre (baseline) | lr", "pre lr"));
        Assert.Contains("![lr_sensitivity](figures/tiny-exp.smoke/lr_sensitivity.png)", text);
        Assert.True(File.Exists(Path.Combine(_f.Root, "figures", "tiny-exp.smoke", "lr_sensitivity.png")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_f.Root, "figures"), "*.svg", SearchOption.AllDirectories));
    }

    [Fact]
    public void Report_draws_only_the_chosen_figures_and_drops_figures_of_experiments_gone()
    {
        var root = CopyOfResults();
        ReportWriter.Write(root, "ablate report");   // the figures folder is the report's own from then on
        var stale = Directory.CreateDirectory(Path.Combine(root, "figures", "gone")).FullName;
        File.WriteAllText(Path.Combine(stale, "loss_val.png"), "an experiment deleted since the last report");

        ReportWriter.Write(root, "ablate report");

        // Default choice: loss_val, lr_sensitivity, max_attn_logit_vs_lr; no kv_cache, since pre and post cache the same.
        Assert.Equal(new[] { "tiny-exp.smoke" }, Directory.GetDirectories(Path.Combine(root, "figures")).Select(Path.GetFileName));
        Assert.Equal(new[] { "loss_val.png", "lr_sensitivity.png", "max_attn_logit_vs_lr.png" },
            Directory.GetFiles(Path.Combine(root, "figures", "tiny-exp.smoke")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "REPORT.md", "figures", "tiny-exp.smoke" }, Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Report_figures_of_the_experiment_replace_the_default_choice_in_catalog_order()
    {
        var results = ExperimentResults.Load(_f.Folder);
        Assert.Equal(new[] { FigureName.LossVal, FigureName.LrSensitivity, FigureName.MaxAttnLogitVsLr }, FigureCatalog.ForReport(results).Select(f => f.Name));
        var chosen = new ExperimentResults
        {
            Folder = results.Folder, Runs = results.Runs,
            Manifest = results.Manifest with { ReportFigures = new[] { FigureName.KvCache, FigureName.GradNorm } },
        };
        Assert.Equal(new[] { FigureName.GradNorm, FigureName.KvCache }, FigureCatalog.ForReport(chosen).Select(f => f.Name));
    }

    [Fact]
    public void Every_figure_name_has_one_entry_in_the_catalog()
    {
        Assert.Equal(Enum.GetValues<FigureName>(), FigureCatalog.All.Select(f => f.Name));
    }

    [Fact]
    public void The_size_given_reaches_the_png_and_no_svg_is_drawn_unless_asked()
    {
        var folder = TinyRuns.TempFolder("figure-size-");
        var names = Plots.KvCache(ExperimentResults.Load(_f.Folder), folder, new FigureOptions { Width = 321, Height = 207, Svg = false });
        Assert.Equal(new[] { "kv_cache" }, names);
        var png = File.ReadAllBytes(Path.Combine(folder, "kv_cache.png"));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(321, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(207, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        Assert.Equal(new[] { "kv_cache.png" }, Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void Report_that_fails_midway_leaves_the_previous_report_and_figures_untouched()
    {
        var root = CopyOfResults();
        ReportWriter.Write(root, "ablate report");
        var before = Snapshot(root);

        // A second experiment, sorted after the first, with a run whose metrics.csv cannot be read at all (locked by
        // another handle: an I/O error, not a damaged file that would only leave that run out): the report fails on
        // it, after the first experiment's figures were drawn.
        CopyFolder(Path.Combine(root, "tiny-exp.smoke"), Path.Combine(root, "zz-unreadable"));
        var metrics = Directory.GetFiles(Path.Combine(root, "zz-unreadable"), "metrics.csv", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(Path.GetDirectoryName(f))!.StartsWith("checkpoint")).Order().First();   // not a checkpoint's copy
        using var held = new FileStream(metrics, FileMode.Open, FileAccess.ReadWrite, FileShare.None);

        Assert.Throws<IOException>(() => ReportWriter.Write(root, "ablate report"));
        Assert.Equal(before, Snapshot(root));
        Assert.DoesNotContain(Directory.GetDirectories(root), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public void A_damaged_run_or_experiment_is_left_out_with_a_warning_naming_its_file_and_the_rest_is_reported()
    {
        var root = CopyOfResults();
        var experiment = Path.Combine(root, "tiny-exp.smoke");
        var summaries = Directory.GetFiles(experiment, RunSummary.FileName, SearchOption.AllDirectories).Order().ToList();
        File.WriteAllText(summaries[0], "{ \"status\": \"compl");                   // truncated
        CopyFolder(experiment, Path.Combine(root, "zz-garbage"));
        File.WriteAllText(Path.Combine(root, "zz-garbage", ExperimentManifest.FileName), "garbage");

        var warnings = new List<string>();
        var results = ExperimentResults.Load(experiment, warnings.Add);
        Assert.Equal(summaries.Count - 1, results.Runs.Count(r => r.Complete));
        Assert.Contains(warnings, w => w.Contains(summaries[0]) && w.Contains("left out"));
        Assert.NotEmpty(ResultTable.Build(results));

        warnings.Clear();
        var report = File.ReadAllText(ReportWriter.Write(root, "ablate report", warnings.Add));
        Assert.Contains("## tiny-exp.smoke", report);
        Assert.DoesNotContain("## zz-garbage", report);
        Assert.Contains(warnings, w => w.Contains(Path.Combine("zz-garbage", ExperimentManifest.FileName)));
        Assert.Contains("> Left out: " + summaries[0], report);
    }

    [Fact]
    public void A_garbled_metrics_row_is_skipped_with_its_line_and_later_rows_are_kept()
    {
        var file = Path.Combine(TinyRuns.TempFolder("garbled-"), "metrics.csv");
        var lines = File.ReadAllLines(Directory.GetFiles(_f.Folder, "metrics.csv", SearchOption.AllDirectories)
            .First(f => !Path.GetFileName(Path.GetDirectoryName(f))!.StartsWith("checkpoint")));
        lines[3] = "3,not-a-number,x,,,,";
        File.WriteAllLines(file, lines);
        var warnings = new List<string>();
        var rows = MetricsFile.Read(file, warnings.Add);
        Assert.Equal(lines.Length - 2, rows.Count);                                   // header and the garbled row
        Assert.Equal(lines.Length - 1, rows[^1].Step);
        Assert.Equal($"{file}:4: garbled row skipped", Assert.Single(warnings));
    }

    [Fact]
    public void A_report_of_a_folder_without_experiments_is_refused()
    {
        var empty = TinyRuns.TempFolder("no-experiments-");
        var e = Assert.Throws<Ablations.Config.ConfigException>(() => ReportWriter.Write(empty, "ablate report"));
        Assert.Contains("no experiment results here", e.Message);
        Assert.False(File.Exists(Path.Combine(empty, "REPORT.md")));
        var cli = Repo.Ablate("report", "--results", empty);
        Assert.Equal(2, cli.ExitCode);
        Assert.Contains("no experiment results here", cli.Stderr);
    }

    string CopyOfResults()
    {
        var root = TinyRuns.TempFolder("report-copy-");
        CopyFolder(_f.Folder, Path.Combine(root, Path.GetFileName(_f.Folder)));
        return root;
    }

    static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>REPORT.md and every figure, by relative path and content.</summary>
    static string Snapshot(string root) => string.Join("\n",
        new[] { Path.Combine(root, "REPORT.md") }.Concat(Directory.GetFiles(Path.Combine(root, "figures"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            .Select(f => $"{Path.GetRelativePath(root, f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}"));
}

public class PlotStyleTests
{
    [Fact]
    public void A_long_title_wraps_at_spaces_into_lines_within_the_limit_and_a_short_one_is_kept()
    {
        Assert.Equal("Validation loss", PlotStyle.Wrap("Validation loss", 40));
        var wrapped = PlotStyle.Wrap("Final loss vs learning rate (band: seed range; ×: diverged, at initial loss)", 40);
        var lines = wrapped.Split('\n');
        Assert.Equal(new[] { "Final loss vs learning rate (band: seed", "range; ×: diverged, at initial loss)" }, lines);
        Assert.All(lines, l => Assert.True(l.Length <= 40));
        Assert.Equal("a\nsupercalifragilistic\nb", PlotStyle.Wrap("a supercalifragilistic b", 10));   // a longer word stays whole
    }
}
