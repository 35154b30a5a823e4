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
    }

    [Fact]
    public void Plots_include_lr_sensitivity_when_the_experiment_sweeps_lr()
    {
        var folder = Path.Combine(_f.Folder, "plots-test");
        var names = Plots.WriteAll(ExperimentResults.Load(_f.Folder), folder, PlotAxis.Tokens, logX: true, logY: true);
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
}
