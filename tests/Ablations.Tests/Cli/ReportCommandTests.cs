using Ablations.Config;
using Ablations.Reporting;
using Ablations.Tests.Reporting;

namespace Ablations.Tests.Cli;

public class ReportCommandTests : IClassFixture<ReportingFixture>
{
    readonly ReportingFixture _f;

    public ReportCommandTests(ReportingFixture fixture) => _f = fixture;

    [Fact]
    public void Plot_writes_every_figure_that_applies_as_png_and_svg()
    {
        var result = Repo.Ablate("plot", _f.Folder);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);

        // The fixture sweeps lr and logs attention logits, so every figure of the catalog applies, one panel each.
        var plots = Path.Combine(_f.Folder, "plots");
        var expected = FigureCatalog.All.Select(f => Path.Combine(plots, SnakeCase.Of(f.Name.ToString()) + ".png")).ToList();
        Assert.Equal(expected, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.All(expected, png =>
        {
            Assert.True(new FileInfo(png).Length > 5_000, png);
            Assert.True(File.Exists(Path.ChangeExtension(png, ".svg")), png);
        });
    }

    [Fact]
    public void The_report_that_run_writes_is_regenerated_byte_for_byte_by_report()
    {
        var results = TinyRuns.TempFolder("report-twice-");
        var run = Repo.Ablate("run", "experiments/quick.yaml", "--scale", "smoke", "--results", results, "--report");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        string Snapshot() => string.Join("\n", new[] { Path.Combine(results, "REPORT.md") }
            .Concat(Directory.GetFiles(Path.Combine(results, "figures"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            .Select(f => $"{Path.GetRelativePath(results, f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}"));
        var written = Snapshot();
        Assert.Contains($"`ablate report --results {results}`", File.ReadAllText(Path.Combine(results, "REPORT.md")));

        var report = Repo.Ablate("report", "--results", results);
        Assert.True(report.ExitCode == 0, report.Stderr + report.Stdout);
        Assert.Equal(written, Snapshot());
    }
}
