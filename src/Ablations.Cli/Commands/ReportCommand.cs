using System.CommandLine;
using Ablations.Config;
using Ablations.Reporting;

namespace Ablations.Cli.Commands;

/// <summary>`ablate plot`, `ablate table` and `ablate report`: figures, tables and the report, from run folders only.</summary>
public static class ReportCommand
{
    public static IEnumerable<Command> Create()
    {
        var plotFolder = new Argument<string>("experiment-folder") { Description = "results/<experiment>" };
        var x = EnumOption.Create("--x", "x axis", PlotAxis.Steps);
        var logX = new Option<bool>("--log-x") { Description = "logarithmic x axis" };
        var logY = new Option<bool>("--log-y") { Description = "logarithmic y axis for the loss curves" };
        var plot = new Command("plot", "loss curves, lr sensitivity, gradient norm, attention logits and KV cache (PNG and SVG)") { plotFolder, x, logX, logY };
        plot.SetAction(r => CliRunner.Guard(() =>
        {
            var results = ExperimentResults.Load(Existing(r.GetValue(plotFolder)!), Warn);
            var outFolder = Path.Combine(results.Folder, "plots");
            var options = new FigureOptions { Axis = r.GetValue(x), LogX = r.GetValue(logX), LogY = r.GetValue(logY) };
            foreach (var name in FigureCatalog.Draw(FigureCatalog.Applicable(results), results, outFolder, options))
                Console.WriteLine(Path.Combine(outFolder, name + ".png"));
            return CliRunner.Ok;
        }));

        var tableFolder = new Argument<string>("experiment-folder") { Description = "results/<experiment>" };
        var format = EnumOption.Create("--format", "table format", TableFormat.Md);
        var table = new Command("table", "one row per variant (and sweep point): parameters, KV cache, loss with uncertainty, stability") { tableFolder, format };
        table.SetAction(r => CliRunner.Guard(() =>
        {
            var rows = ResultTable.Build(ExperimentResults.Load(Existing(r.GetValue(tableFolder)!), Warn));
            Console.Write(TableFormatter.Format(rows, r.GetValue(format)));
            return CliRunner.Ok;
        }));

        var root = new Option<string>("--results") { Description = "results root", DefaultValueFactory = _ => "results" };
        var report = new Command("report", "write results/REPORT.md with every experiment's table and figures") { root };
        report.SetAction(r => CliRunner.Guard(() =>
        {
            var path = ReportWriter.Write(r.GetValue(root)!, RebuildCommand(r.GetValue(root)!), Warn);
            Console.WriteLine(path);
            return CliRunner.Ok;
        }));
        return new[] { plot, table, report };
    }

    /// <summary>
    /// The command that rebuilds only the report, as REPORT.md quotes it: the same whether `ablate report` or
    /// `ablate run --report` wrote it, so that `ablate report` regenerates the file byte for byte.
    /// </summary>
    public static string RebuildCommand(string results) =>
        Path.GetFullPath(results) == Path.GetFullPath("results") ? "ablate report" : $"ablate report --results {results}";

    /// <summary>A damaged run or experiment left out of a table, plot or report: one line on stderr naming the file.</summary>
    public static void Warn(string message) => Console.Error.WriteLine($"warning: {message}");

    static string Existing(string folder) =>
        Directory.Exists(folder) ? folder : throw new ConfigException("folder not found", folder);

    /// <summary>After `ablate run`: table.md, table.csv and plots/ in the experiment folder, and the table on the console.</summary>
    public static void WriteExperimentOutputs(string folder)
    {
        var results = ExperimentResults.Load(folder, Warn);
        var rows = ResultTable.Build(results);
        var markdown = TableFormatter.Format(rows, TableFormat.Md);
        File.WriteAllText(Path.Combine(folder, "table.md"), markdown);
        File.WriteAllText(Path.Combine(folder, "table.csv"), TableFormatter.Format(rows, TableFormat.Csv));
        var plots = FigureCatalog.Draw(FigureCatalog.Applicable(results), results, Path.Combine(folder, "plots"), new FigureOptions());
        Console.WriteLine();
        Console.Write(markdown);
        Console.WriteLine();
        Console.WriteLine($"table: {Path.Combine(folder, "table.md")}");
        Console.WriteLine($"plots: {Path.Combine(folder, "plots")} ({string.Join(", ", plots)})");
    }
}
