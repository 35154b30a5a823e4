using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Training;

/// <summary>
/// A folder is cleared only when it is provably a run folder, and then only of what a run writes; a run folder's
/// state is read from its files, checked: a refused start leaves no claim, a damaged summary is rebuilt, metrics
/// cut before the checkpoint are restored from the checkpoint's copy.
/// </summary>
public class RunFolderSafetyTests
{
    static RunConfig Short(int steps = 6) => TinyRuns.Markov(steps) with
    {
        Train = TinyRuns.Markov(steps).Train with { WarmupSteps = 2, EvalEvery = 3, CheckpointEvery = 3, FinalEvalBatches = 4 },
    };

    /// <summary>A folder like a user's project: an unrelated config.yaml, a .git folder, sources and a corpus.</summary>
    static string ProjectFolder()
    {
        var folder = TinyRuns.TempFolder("project-");
        File.WriteAllText(Path.Combine(folder, "config.yaml"), ConfigWriter.ToYaml(Short(4)));
        Directory.CreateDirectory(Path.Combine(folder, ".git", "objects"));
        File.WriteAllText(Path.Combine(folder, ".git", "HEAD"), "ref: refs/heads/main\n");
        Directory.CreateDirectory(Path.Combine(folder, "src"));
        File.WriteAllText(Path.Combine(folder, "src", "main.cs"), "// mine\n");
        File.WriteAllText(Path.Combine(folder, "corpus.txt"), "my words\n");
        return folder;
    }

    static string[] Listing(string folder) =>
        Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).Order().ToArray();

    [Fact]
    public void Force_on_a_project_folder_deletes_nothing_and_writes_nothing()
    {
        var folder = ProjectFolder();
        var before = Listing(folder);
        var e = Assert.Throws<ConfigException>(() => new Trainer(Short(), folder).Run(force: true));
        Assert.Contains("is not a run folder", e.Message);
        Assert.Contains(".git", e.Message);
        Assert.Equal(before, Listing(folder));   // no .lock, no marker, nothing removed
    }

    [Fact]
    public void Force_on_a_run_folder_holding_a_users_file_refuses_and_keeps_both()
    {
        var folder = TinyRuns.TempFolder("run-foreign-");
        new Trainer(Short(), folder).Run();
        File.WriteAllText(Path.Combine(folder, "notes.md"), "my notes\n");
        var before = Listing(folder);
        var other = Short() with { Train = Short().Train with { Lr = 3e-3 } };
        var e = Assert.Throws<ConfigException>(() => new Trainer(other, folder).Run(force: true));
        Assert.Contains("notes.md", e.Message);
        Assert.Equal(before, Listing(folder));
    }

    [Fact]
    public void Force_clears_a_run_folder_of_run_files_only_and_retrains()
    {
        var folder = TinyRuns.TempFolder("run-force-");
        new Trainer(Short(), folder).Run();
        Assert.True(File.Exists(Path.Combine(folder, RunFolder.MarkerFileName)));
        var other = Short() with { Train = Short().Train with { Lr = 3e-3 } };
        var summary = new Trainer(other, folder).Run(force: true);
        Assert.NotNull(summary);
        Assert.Equal(3e-3, new RunFolder(folder).ReadConfig().Train.Lr);
    }

    [Fact]
    public void A_run_folder_written_before_the_marker_is_still_recognised()
    {
        var folder = TinyRuns.TempFolder("run-legacy-");
        new Trainer(Short(), folder).Run();
        File.Delete(Path.Combine(folder, RunFolder.MarkerFileName));
        Assert.True(new RunFolder(folder).IsRunFolder);
        // A config.yaml alone (no metrics, checkpoint or summary) proves nothing.
        var lone = TinyRuns.TempFolder("lone-config-");
        File.WriteAllText(Path.Combine(lone, "config.yaml"), ConfigWriter.ToYaml(Short()));
        Assert.False(new RunFolder(lone).IsRunFolder);
    }

    [Fact]
    public void A_start_refused_before_its_first_step_leaves_no_claim()
    {
        var parent = TinyRuns.TempFolder("refused-");
        var folder = Path.Combine(parent, "run");
        var missing = Short() with { Data = new DataConfig { Source = DataSource.Text, Paths = new[] { Path.Combine(parent, "missing.txt") } } };
        Assert.ThrowsAny<Exception>(() => new Trainer(missing, folder).Run());
        Assert.False(Directory.Exists(folder), string.Join(", ", Directory.Exists(folder) ? Listing(folder) : Array.Empty<string>()));

        // In a folder that existed, only the claim goes; and a corrected command needs no --force.
        Directory.CreateDirectory(folder);
        Assert.ThrowsAny<Exception>(() => new Trainer(missing, folder).Run());
        Assert.DoesNotContain(Listing(folder), e => e is not (".lock" or ".lock.owner"));
        Assert.NotNull(new Trainer(Short(), folder).Run());
    }

    [Fact]
    public void A_claim_without_work_is_replaced_by_another_configuration_without_force()
    {
        var folder = TinyRuns.TempFolder("claim-only-");
        new RunFolder(folder).Claim(Short(), force: false);
        var other = Short() with { Train = Short().Train with { Lr = 3e-3 } };
        Assert.NotNull(new Trainer(other, folder).Run());
    }

    [Fact]
    public void A_damaged_summary_is_not_complete_and_is_rebuilt_from_the_final_checkpoint()
    {
        var folder = TinyRuns.TempFolder("damaged-summary-");
        var first = new Trainer(Short(), folder).Run()!;
        var summaryFile = Path.Combine(folder, RunSummary.FileName);
        File.WriteAllText(summaryFile, "{ \"status\": \"compl");
        Assert.False(new RunFolder(folder).IsComplete);
        Assert.False(new RunFolder(folder).IsCompleteFor(Short()));
        var rebuilt = new Trainer(Short(), folder).Run()!;
        Assert.Equal(first.FinalValLoss, rebuilt.FinalValLoss);
        Assert.Equal(first.Steps, rebuilt.Steps);
        Assert.Equal(first.FinalValLoss, RunSummary.Read(folder)!.FinalValLoss);

        // A summary whose members are null is damaged too, not a finished run.
        File.WriteAllText(summaryFile, File.ReadAllText(summaryFile).Replace("\"device\": \"cpu\"", "\"device\": null"));
        Assert.False(new RunFolder(folder).IsComplete);
    }

    [Fact]
    public void Metrics_cut_before_the_checkpoint_are_restored_from_its_copy_never_left_with_a_gap()
    {
        var config = Short(9);
        var whole = TinyRuns.TempFolder("metrics-whole-");
        new Trainer(config, whole).Run();
        var expected = MetricsFile.Read(Path.Combine(whole, "metrics.csv")).Select(r => (r.Step, r.TrainLoss)).ToList();

        var folder = TinyRuns.TempFolder("metrics-cut-");
        using (var cancel = new CancellationTokenSource())
        {
            var observer = new CancelAfter(6, cancel);
            Assert.Null(new Trainer(config, folder, observer).Run(cancel: cancel.Token));
        }
        var metrics = Path.Combine(folder, "metrics.csv");
        MetricsFile.WriteAll(metrics, MetricsFile.Read(metrics).Take(2));   // rows 3.. lost
        var summary = new Trainer(config, folder).Run();
        Assert.NotNull(summary);
        Assert.Equal(expected, MetricsFile.Read(metrics).Select(r => (r.Step, r.TrainLoss)).ToList());
    }

    [Fact]
    public void Metrics_cut_before_a_checkpoint_without_a_copy_are_refused()
    {
        var config = Short(9);
        var folder = TinyRuns.TempFolder("metrics-nocopy-");
        using (var cancel = new CancellationTokenSource())
            Assert.Null(new Trainer(config, folder, new CancelAfter(6, cancel)).Run(cancel: cancel.Token));
        foreach (var checkpoint in new[] { "checkpoint", "checkpoint.prev" })
        {
            var copy = Path.Combine(folder, checkpoint, "metrics.csv");
            if (!File.Exists(copy)) continue;
            // An older checkpoint without the copy: drop it from the folder and its manifest.
            File.Delete(copy);
            var manifest = Path.Combine(folder, checkpoint, "manifest.json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
            json["Files"]!.AsObject().Remove("metrics.csv");
            File.WriteAllText(manifest, json.ToJsonString());
        }
        var metrics = Path.Combine(folder, "metrics.csv");
        MetricsFile.WriteAll(metrics, MetricsFile.Read(metrics).Take(2));
        var e = Assert.Throws<ConfigException>(() => new Trainer(config, folder).Run());
        Assert.Contains("gap", e.Message);
    }

    [Fact]
    public void A_finished_run_without_its_config_is_named_in_a_warning_not_dropped_silently()
    {
        var dir = TinyRuns.TempFolder("missing-config-");
        var spec = Ablations.Experiments.ExperimentLoader.Load(Experiments.TinyExperiment.Write(dir));
        var runner = new Ablations.Experiments.ExperimentRunner(spec, "smoke", Path.Combine(dir, "results"), new Experiments.QuietObserver());
        runner.Run(spec.Expand("smoke"));
        var config = Path.Combine(runner.Folder, "pre", "seed-0", "config.yaml");
        File.Delete(config);
        var warnings = new List<string>();
        var results = Ablations.Reporting.ExperimentResults.Load(runner.Folder, warnings.Add);
        Assert.Equal(3, results.Runs.Count);
        Assert.Contains(warnings, w => w.Contains(config) && w.Contains("missing"));
    }
}
