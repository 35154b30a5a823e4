using Ablations.Config;
using Ablations.Experiments;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Tests.Experiments;

/// <summary>tune: every variant runs the grid on its tuning seeds, is compared at its own best value, and its other seeds run there.</summary>
public class TuneTests
{
    readonly string _dir = TinyRuns.TempFolder("tune-");

    static string Tuned(string tune = "tune: { values: [1.0e-3, 1.0e-2, 1.0e-1], seeds: 1 }") =>
        TinyExperiment.Yaml.Replace("seeds: [0, 1]", "seeds: [0, 1, 2]").Replace("scales:", tune + "\nscales:");

    [Fact]
    public void The_grid_runs_on_the_tuning_seeds_and_the_rest_at_each_variants_best()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, Tuned()));
        var grid = spec.Expand("smoke");
        Assert.Equal(2 * 3, grid.Count);                                   // 2 variants x 3 values x 1 tuning seed
        Assert.All(grid, r => Assert.Equal(0, r.Seed));
        Assert.Equal(new[] { "lr=1.0e-3", "lr=1.0e-2", "lr=1.0e-1" }, grid.Where(r => r.Variant == "pre").Select(r => r.SweepPoint));
        var rest = spec.ExpandCompletion("smoke", new Dictionary<string, string> { ["pre"] = "lr=1.0e-2", ["post"] = "lr=1.0e-3" });
        Assert.Equal(new[] { "pre/lr=1.0e-2/seed-1", "pre/lr=1.0e-2/seed-2", "post/lr=1.0e-3/seed-1", "post/lr=1.0e-3/seed-2" }, rest.Select(r => r.Label));
        Assert.Equal(1.0e-3, rest.Last().Config.Train.Lr);
    }

    [Fact]
    public void Tune_is_checked_at_load()
    {
        Assert.Contains("would run its grid twice", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Tuned().Replace("scales:", "sweep:\n  train.lr: [1.0e-3]\nscales:")))).Message);
        Assert.Contains("is not a sweep point", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Tuned().Replace("scales:", "sweep:\n  train.weight_decay: [0.0, 0.1]\nscales:") + "\nclaims:\n  - { text: t, a: post, b: pre, expect: higher, at: weight_decay=0.2 }\n"))).Message);
        Assert.Contains("tuning seeds but the experiment lists 3", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Tuned("tune: { values: [1.0e-3, 1.0e-2], seeds: 5 }")))).Message);
        Assert.Contains("at least two values", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Tuned("tune: { values: [1.0e-3] }")))).Message);
        Assert.Contains("unknown key", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Tuned("tune: { key: train.learning_rate, values: [1.0e-3, 1.0e-2] }")))).Message);
    }

    [Fact]
    public void A_tuned_experiment_reports_each_variant_at_its_best_with_its_sensitivity_and_a_rerun_chooses_the_same()
    {
        var yaml = Tuned().Replace("smoke: { train.steps: 6 }", "smoke: { train.steps: 30 }")
            + "\nclaims:\n  - { text: post is worse, a: post, b: pre, expect: higher }\n";
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, yaml));
        var messages = new List<string>();
        var runner = new ExperimentRunner(spec, "smoke", Path.Combine(_dir, "results"), new RecordingObserver(messages));
        var outcome = runner.RunAll(spec.Expand("smoke"), best => spec.ExpandCompletion("smoke", best));
        Assert.Empty(outcome.Failed);
        Assert.Equal(2 * 3 + 2 * 2, outcome.Trained);
        Assert.Contains(messages, m => m.StartsWith("tune: pre is compared at lr="));

        var results = ExperimentResults.Load(runner.Folder);
        Assert.Equal("train.lr", results.Manifest.TuneKey);
        Assert.Equal(new[] { "post", "pre" }, results.Manifest.Best.Keys.Order());
        var rows = ResultTable.Build(results);
        var bestRows = rows.Where(r => r.IsBest).ToList();
        Assert.Equal(2, bestRows.Count);
        Assert.All(bestRows, r => Assert.Equal(3, r.SeedLosses.Count));        // all three seeds at the chosen value
        Assert.All(bestRows, r => Assert.True(r.LrSensitivity!.Mean >= 0));
        Assert.Contains("(best)", TableFormatter.Format(rows, TableFormat.Md));
        var verdict = ClaimCheck.Verdicts(new[] { ClaimCheck.Evaluate(results, results.Manifest.Claims[0]) })[0].Text;
        Assert.Contains("at each one's best lr", verdict);

        var rerun = new ExperimentRunner(spec, "smoke", Path.Combine(_dir, "results"), new RecordingObserver(new List<string>()))
            .RunAll(spec.Expand("smoke"), best => spec.ExpandCompletion("smoke", best));
        Assert.Equal(0, rerun.Trained);
        Assert.Equal(results.Manifest.Best, ExperimentManifest.Read(runner.Folder)!.Best);
    }

    /// <summary>A sweep over another key (a data source, say): every variant is tuned separately at each of its points.</summary>
    static string TunedAndSwept() =>
        Tuned("tune: { values: [1.0e-3, 3.0e-2], seeds: 1 }").Replace("seeds: [0, 1, 2]", "seeds: [0, 1]")
            .Replace("scales:", "sweep:\n  train.weight_decay: [0.0, 0.5]\nscales:")
        + "\nclaims:\n  - { text: post is worse without decay, a: post, b: pre, expect: higher, at: weight_decay=0.0 }\n";

    [Fact]
    public void With_a_sweep_over_another_key_each_variant_is_tuned_at_every_point_of_it()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, TunedAndSwept()));
        var grid = spec.Expand("smoke");
        Assert.Equal(2 * 2 * 2, grid.Count);                               // 2 variants x 2 decays x 2 learning rates, seed 0
        Assert.Equal(new[] { "weight_decay=0.0,lr=1.0e-3", "weight_decay=0.0,lr=3.0e-2", "weight_decay=0.5,lr=1.0e-3", "weight_decay=0.5,lr=3.0e-2" },
            grid.Where(r => r.Variant == "pre").Select(r => r.SweepPoint));
        var best = new Dictionary<string, string>
        {
            ["pre at weight_decay=0.0"] = "weight_decay=0.0,lr=3.0e-2", ["pre at weight_decay=0.5"] = "weight_decay=0.5,lr=1.0e-3",
            ["post at weight_decay=0.0"] = "weight_decay=0.0,lr=1.0e-3", ["post at weight_decay=0.5"] = "weight_decay=0.5,lr=1.0e-3",
        };
        var rest = spec.ExpandCompletion("smoke", best);
        Assert.Equal(new[] { "pre/weight_decay=0.0,lr=3.0e-2/seed-1", "pre/weight_decay=0.5,lr=1.0e-3/seed-1", "post/weight_decay=0.0,lr=1.0e-3/seed-1", "post/weight_decay=0.5,lr=1.0e-3/seed-1" },
            rest.Select(r => r.Label));
        Assert.Equal((3.0e-2, 0.0), (rest[0].Config.Train.Lr, rest[0].Config.Train.WeightDecay));
    }

    [Fact]
    public void The_protocol_names_each_choice_on_the_edge_of_its_grid_and_says_when_there_is_none()
    {
        static ExperimentManifest Manifest(Dictionary<string, string> best) => new()
        {
            Name = "exp", File = "exp.yaml", Baseline = "a", Variants = new[] { "a", "b" }, SweepKeys = new[] { "train.lr" }, Seeds = new[] { 0 },
            TuneKey = "train.lr", Best = best,
            Runs = new[] { "a", "b" }.SelectMany(v => new[] { "1.0e-3", "1.0e-2", "1.0e-1" }
                .Select(lr => new ManifestRun(v, $"lr={lr}", new Dictionary<string, string> { ["train.lr"] = lr }, 0, $"{v}/lr={lr}/seed-0"))).ToList(),
        };
        Assert.Equal("Every chosen value lies inside its grid.",
            ProtocolSummary.Edges(new[] { Manifest(new() { ["b"] = "lr=1.0e-2", ["a"] = "lr=1.0e-2" }) }));
        Assert.Equal("Chosen on the edge of its grid, so the optimum may lie beyond it: exp a (1.0e-1, the highest); exp b (1.0e-3, the lowest).",
            ProtocolSummary.Edges(new[] { Manifest(new() { ["b"] = "lr=1.0e-3", ["a"] = "lr=1.0e-1" }) }));
    }

    [Fact]
    public void A_tuned_and_swept_experiment_is_reported_per_point_at_each_variants_best_there()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, TunedAndSwept()));
        var messages = new List<string>();
        var runner = new ExperimentRunner(spec, "smoke", Path.Combine(_dir, "results"), new RecordingObserver(messages));
        var outcome = runner.RunAll(spec.Expand("smoke"), best => spec.ExpandCompletion("smoke", best));
        Assert.Empty(outcome.Failed);
        Assert.Equal(8 + 4, outcome.Trained);
        Assert.Contains(messages, m => m.StartsWith("tune: pre at weight_decay=0.5 is compared at weight_decay=0.5,lr="));

        var results = ExperimentResults.Load(runner.Folder);
        var manifest = results.Manifest;
        Assert.Equal(new[] { "post at weight_decay=0.0", "post at weight_decay=0.5", "pre at weight_decay=0.0", "pre at weight_decay=0.5" }, manifest.Best.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "train.weight_decay", "train.lr" }, manifest.SweepKeys);
        var rows = ResultTable.Build(results);
        var bestRows = rows.Where(r => r.IsBest).ToList();
        Assert.Equal(4, bestRows.Count);                                   // one per variant and decay
        Assert.All(bestRows, r => Assert.Equal(2, r.SeedLosses.Count));
        foreach (var row in bestRows.Where(r => r.Variant == "post"))
        {
            // compared with the baseline's best at the same decay, never across decays
            var fixedPoint = manifest.FixedPoint(row.SweepPoint);
            var baseline = bestRows.Single(r => r.Variant == "pre" && manifest.FixedPoint(r.SweepPoint) == fixedPoint);
            Assert.Equal(row.ValLoss!.Mean - baseline.ValLoss!.Mean, row.DeltaVsBaseline!.Value, 12);
        }
        var verdict = ClaimCheck.Verdicts(new[] { ClaimCheck.Evaluate(results, manifest.Claims[0]) })[0].Text;
        Assert.Contains("at weight_decay=0.0, at each one's best lr (lr=", verdict);

        // Under a verdict that disagrees, the report shows the sweep behind it: both variants at every grid value.
        var evidence = ClaimEvidence.Describe(results, manifest.Claims[0], "figures/tiny-exp/loss_val*.png");
        Assert.Contains("| lr | post | pre |", evidence);
        Assert.Contains("| 1.0e-3 | ", evidence);
        Assert.Contains("| 3.0e-2 | ", evidence);
        Assert.Contains("(weight_decay=0.0)", evidence);
        Assert.Matches("post's chosen lr is (1.0e-3|3.0e-2)", evidence);
        var report = File.ReadAllText(ReportWriter.Write(Path.Combine(_dir, "results"), "ablate report"));
        Assert.Contains("**Protocol.** 1 experiment at the `smoke` scale", report);
        Assert.Contains("Grids: tiny-exp 2 values from 1.0e-3 to 3.0e-2 on 1 seed", report);
        // on a grid of two values every choice is on an edge, and the report names each, in variant order
        Assert.Matches(@"Chosen on the edge of its grid, so the optimum may lie beyond it: tiny-exp pre at weight_decay=0\.0 \((1\.0e-3, the lowest|3\.0e-2, the highest)\); tiny-exp pre at weight_decay=0\.5 ", report);

        var figures = Path.Combine(_dir, "figures");
        var written = FigureCatalog.Draw(FigureCatalog.All.Where(f => f.Name is FigureName.LrSensitivity or FigureName.LossVal), results, figures, new FigureOptions());
        Assert.Equal(new[] { "loss_val_weight_decay=0.0", "loss_val_weight_decay=0.5", "lr_sensitivity_weight_decay=0.0", "lr_sensitivity_weight_decay=0.5" }, written.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_clusters_next_phase_is_the_grid_until_it_is_complete_then_the_remaining_seeds_at_each_best()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, Tuned()));
        var runner = new ExperimentRunner(spec, "smoke", Path.Combine(_dir, "results"), new RecordingObserver(new List<string>()));
        var grid = spec.Expand("smoke");
        IReadOnlyList<RunSpec> Completion(IReadOnlyDictionary<string, string> best) => spec.ExpandCompletion("smoke", best);

        var first = runner.NextPhase(grid, Completion, force: false);
        Assert.False(first.Completion);
        Assert.Equal(grid.Select(r => r.Label), first.Pending.Select(r => r.Label));
        Assert.All(grid, r => Assert.True(File.Exists(Path.Combine(runner.RunPath(r), "config.yaml"))));   // claimed before any task runs

        runner.Run(grid.Skip(1).ToList());
        Assert.Equal(new[] { grid[0].Label }, runner.NextPhase(grid, Completion, force: false).Pending.Select(r => r.Label));   // still the grid
        runner.Run(grid);
        var second = runner.NextPhase(grid, Completion, force: false);
        Assert.True(second.Completion);
        Assert.Equal(4, second.Pending.Count);                              // 2 variants x seeds 1 and 2 at their best
        Assert.Equal(second.Runs.Select(r => r.Label), second.Pending.Select(r => r.Label));
        Assert.Equal(2, ExperimentManifest.Read(runner.Folder)!.Best.Count);   // the choice is recorded before the seeds run
        runner.Run(second.Runs.ToList());
        Assert.Empty(runner.NextPhase(grid, Completion, force: false).Pending);
    }
}
