using Ablations.Config;
using Ablations.Experiments;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Tests.Experiments;

/// <summary>Every experiment file in experiments/ and experiments/checks/ loads and runs end to end at smoke scale, so none rots.</summary>
public class ExperimentFilesTests
{
    public static IEnumerable<object[]> Files() =>
        new[] { "", "checks" }.SelectMany(dir => Directory.GetFiles(Repo.Path("experiments", dir), "*.yaml"))
            .Where(f => File.ReadLines(f).Any(l => l.StartsWith("variants:")))
            .Select(f => Path.GetRelativePath(Repo.Path("experiments"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).Select(f => new object[] { f });

    /// <summary>The article's ablations, as against the quick start and the checks of the framework itself.</summary>
    static bool IsArticleAblation(string file) => file != "quick.yaml" && !file.StartsWith("checks/");

    [Fact]
    public void The_article_ablations_are_all_there()
    {
        var names = Files().Select(f => (string)f[0]).ToList();
        foreach (var expected in new[] { "norm-placement.yaml", "attention.yaml", "moe.yaml", "sliding-window.yaml", "architectures.yaml", "quick.yaml" })
            Assert.Contains(expected, names);
    }

    [Fact]
    public void Every_file_loads_with_its_claims_and_figures_typed()
    {
        var specs = Files().Select(f => (string)f[0]).ToDictionary(f => f, f => ExperimentLoader.Load(Repo.Path("experiments", f)));
        var norm = specs["norm-placement.yaml"];
        Assert.Equal(new[] { FigureName.LrSensitivity, FigureName.MaxAttnLogitVsLr, FigureName.LossVal }, norm.ReportFigures);
        Assert.Contains(norm.Claims, c => c is { Metric: ClaimMetric.MaxAttnLogit, Expect: ClaimExpectation.Lower, At: "lr=3.0e-1" });
        Assert.Equal("train.lr", norm.Tune!.Key);
        Assert.Equal(3, norm.TuneSeeds.Count);   // its claims at lr=0.3 are tested on the tuning seeds, so they are all three
        Assert.All(specs.Where(s => IsArticleAblation(s.Key)).Select(s => s.Value), s => Assert.True(s.Tune != null && s.Seeds.Count >= 3, $"{s.Name}: every article ablation tunes and completes 3 seeds"));
        Assert.Equal(new[] { "data.source" }, specs["sliding-window.yaml"].Sweep.Keys);
        Assert.Equal("source=dotnet_docs", specs["sliding-window.yaml"].Latency!.At);
        Assert.Contains(specs["attention.yaml"].Claims, c => c is { Metric: ClaimMetric.KvCache, Expect: ClaimExpectation.Lower });
        Assert.Contains(specs["sliding-window.yaml"].Claims, c => c is { Expect: ClaimExpectation.Similar, At: "source=dotnet_docs" });
    }

    [Fact]
    public void The_bf16_parity_check_changes_only_the_precision_of_the_d256_tiny_model()
    {
        var spec = ExperimentLoader.Load(Repo.Path("experiments", "checks", "bf16-parity.yaml"));
        Assert.Equal("full", spec.DefaultScale);
        var tiny = RunConfig.Load(Repo.Path("experiments", "tiny.yaml"));
        foreach (var (scale, width) in new[] { ("full", 256), ("small", 128) })
        {
            var runs = spec.Expand(scale);
            Assert.Equal(6, runs.Count);   // 2 precisions x 3 seeds, no tuning: both train at tiny.yaml's learning rate
            foreach (var seed in runs.GroupBy(r => r.Config.Train.Seed))
            {
                var fp32 = seed.Single(r => r.Variant == "fp32").Config;
                var bf16 = seed.Single(r => r.Variant == "bf16").Config;
                Assert.Equal(Precision.Fp32, fp32.Train.Precision);
                Assert.Equal(Precision.Bf16, bf16.Train.Precision);
                Assert.Equal(fp32 with { Train = fp32.Train with { Precision = Precision.Bf16 } }, bf16);
                Assert.Equal(width, fp32.Model.DModel);
                Assert.Equal(tiny.Train with { Seed = fp32.Train.Seed }, fp32.Train);
                Assert.Equal(tiny.Model.NLayers, fp32.Model.NLayers);
            }
        }
        var claim = Assert.Single(spec.Claims);
        Assert.Equal((ClaimExpectation.Similar, 0.02), (claim.Expect, claim.Margin));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Experiment_runs_at_smoke_scale_with_its_table_plots_and_claims(string file)
    {
        var spec = ExperimentLoader.Load(Repo.Path("experiments", file));
        Assert.Contains("smoke", spec.Scales.Keys);
        Assert.Contains("small", spec.Scales.Keys);
        Assert.Contains("full", spec.Scales.Keys);
        Assert.True(spec.Seeds.Count >= 2, "an ablation needs seeds to state uncertainty");
        var root = TinyRuns.TempFolder("smoke-");
        var runner = new ExperimentRunner(spec, "smoke", root, new QuietObserver()) { BaseDirectory = Repo.Root };
        var runs = spec.Expand("smoke");
        var outcome = runner.RunAll(runs, best => spec.ExpandCompletion("smoke", best));   // with tune: the grid, then each variant's best
        Assert.Empty(outcome.Failed);
        var points = spec.Tune == null ? 1 : runs.Select(r => TuneGroups.Fixed(r.SweepPoint, spec.Tune.Key)).Distinct().Count();
        Assert.Equal(runs.Count + (spec.Tune == null ? 0 : spec.Variants.Count * points * (spec.Seeds.Count - spec.TuneSeeds.Count)), outcome.Trained);

        var results = ExperimentResults.Load(runner.Folder);
        Assert.Equal(spec.Variants.Count * runs.Select(r => r.SweepPoint).Distinct().Count(), ResultTable.Build(results).Count);
        foreach (var verdict in ClaimCheck.Verdicts(results.Manifest.Claims.Select(c => ClaimCheck.Evaluate(results, c)).ToList()))
            Assert.StartsWith("**", verdict.Text);
        var report = File.ReadAllText(ReportWriter.Write(root, "ablate report"));
        Assert.Contains($"## {spec.FolderName("smoke")}", report);
        Assert.Contains("**Protocol.**", report);
        if (spec.Latency != null) Assert.Contains($"Decoding with the cache filled to {spec.Latency.Context:N0} positions", report);
    }
}
