using System.Globalization;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Experiments;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Tests.Experiments;

public class ExperimentRunnerTests
{
    [Fact]
    public void Two_variants_two_seeds_end_to_end_then_a_rerun_skips_everything()
    {
        var dir = TinyRuns.TempFolder("exp-run-");
        var spec = ExperimentLoader.Load(TinyExperiment.Write(dir));
        var runs = spec.Expand("smoke");
        var runner = new ExperimentRunner(spec, "smoke", Path.Combine(dir, "results"), new QuietObserver());
        var first = runner.Run(runs);
        Assert.Equal(new ExperimentOutcome(4, 0, Array.Empty<string>(), false) with { Failed = first.Failed }, first);
        Assert.Empty(first.Failed);

        var folder = Path.Combine(dir, "results", "tiny-exp.smoke");
        Assert.Equal(runner.Folder, folder);
        foreach (var variant in new[] { "pre", "post" })
            foreach (var seed in new[] { 0, 1 })
            {
                var run = Path.Combine(folder, variant, $"seed-{seed}");
                foreach (var file in new[] { "config.yaml", "metrics.csv", "summary.json", Path.Combine("checkpoint", "model.bin") })
                    Assert.True(File.Exists(Path.Combine(run, file)), $"{run}/{file}");
            }
        Assert.True(File.Exists(Path.Combine(folder, ExperimentManifest.FileName)));

        // The table's numbers, recomputed independently from the metrics files.
        var rows = ResultTable.Build(ExperimentResults.Load(folder));
        Assert.Equal(new[] { "pre", "post" }, rows.Select(r => r.Variant));
        foreach (var row in rows)
        {
            var finals = new[] { 0, 1 }.Select(seed => MetricsFile.Read(Path.Combine(folder, row.Variant, $"seed-{seed}", "metrics.csv"))
                .Last(m => m.ValLoss != null).ValLoss!.Value).ToArray();
            var mean = finals.Average();
            var std = Math.Sqrt(finals.Sum(f => (f - mean) * (f - mean)) / 1);
            Assert.Equal(mean, row.ValLoss!.Mean, 12);
            Assert.Equal(std, row.ValLoss.Std!.Value, 12);
            Assert.Equal(2, row.Completed);
        }
        var pre = rows[0].SeedLosses;
        var post = rows[1].SeedLosses;
        Assert.Equal(post.Average() - pre.Average(), rows[1].DeltaVsBaseline!.Value, 12);
        // Both variants ran seeds 0 and 1: the difference is tested per seed (paired), not as two independent samples.
        Assert.Equal("paired", rows[1].Test);
        Assert.Equal(Statistics.Paired(post, pre)!.PValue, rows[1].PValue!.Value, 12);

        var second = runner.Run(runs);
        Assert.Equal(0, second.Trained);
        Assert.Equal(4, second.Skipped);
    }

    [Fact]
    public void A_second_runner_on_the_same_experiment_is_refused_while_the_first_holds_the_lock()
    {
        var dir = TinyRuns.TempFolder("exp-lock-");
        var spec = ExperimentLoader.Load(TinyExperiment.Write(dir));
        var runner = new ExperimentRunner(spec, "smoke", Path.Combine(dir, "results"), new QuietObserver());
        using (ExperimentLock.Acquire(runner.Folder))
        {
            var e = Assert.Throws<ExperimentBusyException>(() => runner.Run(spec.Expand("smoke")));
            Assert.Contains(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), e.Message);
        }
        Assert.Equal(4, runner.Run(spec.Expand("smoke")).Trained);   // released: it runs
    }

    [Fact]
    public void Results_written_by_a_different_configuration_are_refused_unless_forced()
    {
        var dir = TinyRuns.TempFolder("exp-force-");
        var spec = ExperimentLoader.Load(TinyExperiment.Write(dir));
        var root = Path.Combine(dir, "results");
        new ExperimentRunner(spec, "smoke", root, new QuietObserver()).Run(spec.Expand("smoke", only: new[] { "pre" }));
        var changed = spec.Expand("smoke", new[] { "model.d_model=48" }, only: new[] { "pre" });
        var runner = new ExperimentRunner(spec, "smoke", root, new QuietObserver());
        var e = Assert.Throws<ConfigException>(() => runner.Run(changed));
        Assert.Contains("different configuration", e.Message);
        Assert.Equal(2, runner.Run(changed, force: true).Trained);
        Assert.Equal(48, new RunFolder(Path.Combine(runner.Folder, "pre", "seed-0")).ReadConfig().Model.DModel);
        // --force replaces only the runs the file no longer describes: finished runs of the same configuration stay
        var post = spec.Expand("smoke", new[] { "model.d_model=48" }, only: new[] { "post" });
        Assert.Equal(2, runner.Run(post).Trained);
        var both = changed.Concat(post).ToList();
        var outcome = runner.Run(both, force: true);
        Assert.Equal((0, 4), (outcome.Trained, outcome.Skipped));
    }

    [Fact]
    public void Table_survives_a_torn_metrics_file_and_an_unfinished_run()
    {
        var dir = TinyRuns.TempFolder("exp-torn-");
        var spec = ExperimentLoader.Load(TinyExperiment.Write(dir));
        var runner = new ExperimentRunner(spec, "smoke", Path.Combine(dir, "results"), new QuietObserver());
        runner.Run(spec.Expand("smoke"));
        var unfinished = Path.Combine(runner.Folder, "post", "seed-1");
        File.Delete(Path.Combine(unfinished, RunSummary.FileName));
        File.AppendAllText(Path.Combine(unfinished, "metrics.csv"), "7,99,0.01,2.");
        var rows = ResultTable.Build(ExperimentResults.Load(runner.Folder));
        Assert.Equal(1, rows.Single(r => r.Variant == "post").Completed);
        Assert.Equal(2, rows.Single(r => r.Variant == "post").Runs);
        Assert.Single(rows.Single(r => r.Variant == "post").SeedLosses);
    }
}
