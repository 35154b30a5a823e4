using Ablations.Tests.Experiments;

namespace Ablations.Tests.Cli;

/// <summary>
/// The second red-team round, as classes: every case exits 2 with one line naming the file, key or option, writes
/// nothing outside the folder it was given and deletes nothing it did not create.
/// </summary>
public class BadInputSecondRoundTests
{
    static readonly string Tiny = Repo.Path("experiments", "tiny.yaml");
    static readonly string[] Short =
    {
        "--set", "train.steps=4", "--set", "train.warmup_steps=1", "--set", "train.eval_every=2", "--set", "data.max_bytes=300000",
        "--set", "train.context=32", "--set", "train.final_eval_batches=2", "--set", "train.eval_batches=1",
    };

    static string[] Listing(string folder) =>
        Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(folder, p)).Order().ToArray();

    [Fact]
    public void Train_out_dot_force_in_a_project_folder_deletes_nothing()
    {
        var project = TinyRuns.TempFolder("cli-project-");
        File.Copy(Tiny, Path.Combine(project, "config.yaml"));
        Directory.CreateDirectory(Path.Combine(project, ".git"));
        File.WriteAllText(Path.Combine(project, ".git", "HEAD"), "ref: refs/heads/main\n");
        Directory.CreateDirectory(Path.Combine(project, "src"));
        File.WriteAllText(Path.Combine(project, "src", "a.cs"), "// mine\n");
        var before = Listing(project);
        var r = Repo.AblateIn(project, new[] { "train", Tiny, "--out", ".", "--force", "--set", "train.lr=1e-3" }.Concat(Short).ToArray());
        BadInput.Line(r, "is not a run folder", project);
        Assert.Equal(before, Listing(project));
    }

    [Theory]
    [InlineData("../../../../../ESCAPED")]
    [InlineData("a/b")]
    [InlineData("x\ny")]
    [InlineData("$(touch x)")]
    [InlineData("a b")]
    public void A_sweep_value_that_is_not_a_folder_name_is_refused_at_load(string value)
    {
        var dir = TinyRuns.TempFolder("cli-sweep-");
        var yaml = TinyExperiment.Yaml.Replace("baseline: pre", $"baseline: pre\nsweep:\n  data.markov.seed: [\"{value.Replace("\n", "\\n")}\"]");
        var file = TinyExperiment.Write(dir, yaml);
        var r = Repo.Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(dir, "results"), "--no-report");
        BadInput.Line(r, "sweep.data.markov.seed[0]", "cannot name a folder");
        Assert.False(Directory.Exists(Path.Combine(dir, "results")));
        Assert.Empty(Directory.GetDirectories(dir));
    }

    [Fact]
    public void A_tune_value_that_is_not_a_folder_name_is_refused_at_load()
    {
        var dir = TinyRuns.TempFolder("cli-tune-");
        var yaml = TinyExperiment.Yaml.Replace("baseline: pre", "baseline: pre\ntune: { key: train.lr, values: [\"1e-2\", \"../up\"], seeds: 1 }");
        var r = Repo.Ablate("run", TinyExperiment.Write(dir, yaml), "--scale", "smoke", "--results", Path.Combine(dir, "results"), "--no-report");
        BadInput.Line(r, "tune.values[1]", "cannot name a folder");
    }

    [Fact]
    public void An_experiment_named_after_a_file_of_dots_is_refused()
    {
        var dir = TinyRuns.TempFolder("cli-dots-");
        var file = TinyExperiment.Write(dir, TinyExperiment.Yaml.Replace("name: tiny-exp\n", ""), "...yaml");
        var r = Repo.Ablate("run", file, "--scale", "smoke", "--results", Path.Combine(dir, "results"), "--no-report");
        BadInput.Line(r, "name");
        Assert.Empty(Directory.GetDirectories(dir));
    }

    [Fact]
    public void An_experiment_folder_that_is_a_link_out_of_the_results_is_refused()
    {
        var dir = TinyRuns.TempFolder("cli-link-");
        var outside = Directory.CreateDirectory(Path.Combine(dir, "outside")).FullName;
        var results = Directory.CreateDirectory(Path.Combine(dir, "results")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(results, "tiny-exp.smoke"), outside);
        var r = Repo.Ablate("run", TinyExperiment.Write(dir), "--scale", "smoke", "--results", results, "--no-report");
        BadInput.Line(r, "outside");
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Theory]
    [InlineData("variants:\n  - name: pre\n    set: { model.norm.placement: pre, train.seed: 5 }", "train.seed")]
    [InlineData("sweep:\n  train.seed: [1, 2]", "train.seed")]
    public void A_key_the_experiment_owns_is_refused_in_variants_and_sweeps(string section, string fragment)
    {
        var dir = TinyRuns.TempFolder("cli-seed-");
        var yaml = section.StartsWith("variants")
            ? TinyExperiment.Yaml.Replace("variants:\n  - name: pre\n    set: { model.norm.placement: pre }", section)
            : TinyExperiment.Yaml.Replace("baseline: pre", "baseline: pre\n" + section);
        var r = Repo.Ablate("run", TinyExperiment.Write(dir, yaml), "--scale", "smoke", "--results", Path.Combine(dir, "r"), "--no-report");
        BadInput.Line(r, fragment, "seeds");
        var cli = Repo.Ablate("run", TinyExperiment.Write(dir), "--scale", "smoke", "--results", Path.Combine(dir, "r"), "--no-report",
            "--set", "train.seed=4");
        BadInput.Line(cli, "train.seed");
    }

    public static IEnumerable<object[]> Overflows() => new[]
    {
        new object[] { new[] { "train.warmup_steps=50" }, "train.warmup_steps" },
        new object[] { new[] { "train.final_eval_batches=2000000000", "train.eval_batch_size=2000000000" }, "train.final_eval_batches" },
        new object[] { new[] { "train.batch_size=2000000000", "train.grad_accum=2000000000" }, "train.batch_size" },
        new object[] { new[] { "train.steps=2000000000", "train.batch_size=1000000" }, "train.steps" },
        new object[] { new[] { "data.max_bytes=0", "data.source=markov", "data.markov.vocab=256", "data.markov.order=4" }, "data.markov" },
    };

    [Theory]
    [MemberData(nameof(Overflows))]
    public void Settings_that_overflow_or_mean_nothing_are_refused(string[] sets, string key)
    {
        var folder = TinyRuns.TempFolder("cli-overflow-");
        var r = Repo.Ablate(new[] { "train", Tiny, "--out", folder }.Concat(Short).Concat(sets.SelectMany(s => new[] { "--set", s })).ToArray());
        BadInput.Line(r, key);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Theory]
    [InlineData("model:\n  ? [a, b]\n  : 1\n", "a key must be a name")]
    [InlineData("model:\n  {d_model: 1}: 2\n", "a key must be a name")]
    public void A_mapping_key_that_is_a_list_or_a_map_is_refused(string yaml, string fragment)
    {
        var dir = TinyRuns.TempFolder("cli-key-");
        var file = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(file, yaml);
        BadInput.Line(Repo.Ablate("train", file, "--out", Path.Combine(dir, "run")), fragment, "bad.yaml");
        BadInput.Line(Repo.Ablate("train", Tiny, "--out", Path.Combine(dir, "run"), "--set", "model.attention={[a]: 1}"), fragment);
        Assert.False(Directory.Exists(Path.Combine(dir, "run")));
    }

    [Fact]
    public void A_log_at_a_folder_or_under_a_missing_folder_is_refused()
    {
        var dir = TinyRuns.TempFolder("cli-log-");
        BadInput.Line(Repo.Ablate("train", Tiny, "--out", Path.Combine(dir, "run"), "--log", dir), "--log", "is a folder");
        BadInput.Line(Repo.Ablate("train", Tiny, "--out", Path.Combine(dir, "run"), "--log", Path.Combine(dir, "no", "such", "x.log")), "--log", "does not exist");
    }

    [Theory]
    [InlineData("1e-30")]
    [InlineData("1e-300")]
    public void A_temperature_below_what_float32_divides_is_refused(string temperature)
    {
        var folder = TinyRuns.TempFolder("cli-temp-");
        var train = Repo.Ablate(new[] { "train", Tiny, "--out", folder }.Concat(Short).ToArray());
        Assert.True(train.ExitCode == 0, train.Stderr + train.Stdout);
        BadInput.Line(Repo.Ablate("generate", "--checkpoint", folder, "--temperature", temperature, "--max-tokens", "4"), "--temperature");
    }

    [Fact]
    public void Null_members_in_experiment_json_are_one_line_in_table_status_and_report()
    {
        var dir = TinyRuns.TempFolder("cli-manifest-");
        var results = Path.Combine(dir, "results");
        var file = TinyExperiment.Write(dir);
        var run = Repo.Ablate("run", file, "--scale", "smoke", "--results", results, "--no-report");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var folder = Path.Combine(results, "tiny-exp.smoke");
        var manifest = Path.Combine(folder, "experiment.json");
        var original = File.ReadAllText(manifest);
        foreach (var damage in new Func<string, string>[]
                 {
                     t => t.Replace("\"baseline\": \"pre\"", "\"baseline\": null"),
                     t => System.Text.RegularExpressions.Regex.Replace(t, "\"folder\": \"[^\"]*\"", "\"folder\": null"),
                     t => System.Text.RegularExpressions.Regex.Replace(t, "\"folder\": \"[^\"]*\"", "\"folder\": \"../../../etc\""),
                     t => t.Replace("\"variants\": [", "\"variants\": [null, "),
                 })
        {
            File.WriteAllText(manifest, damage(original));
            BadInput.Line(Repo.Ablate("table", folder), "experiment.json");
            BadInput.Line(Repo.Ablate("status", folder), "experiment.json");
            var report = Repo.Ablate("report", "--results", results);
            BadInput.Line(report, "experiment.json");
        }
    }

    [Fact]
    public void The_report_replaces_only_its_own_figures_folder_and_report()
    {
        var dir = TinyRuns.TempFolder("cli-figures-");
        var results = Path.Combine(dir, "results");
        var run = Repo.Ablate("run", TinyExperiment.Write(dir), "--scale", "smoke", "--results", results, "--no-report");
        Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
        var figures = Directory.CreateDirectory(Path.Combine(results, "figures")).FullName;
        File.WriteAllText(Path.Combine(figures, "mine.txt"), "my file\n");
        BadInput.Line(Repo.Ablate("report", "--results", results), "figures", "mine.txt");
        Assert.True(File.Exists(Path.Combine(figures, "mine.txt")));
        File.Delete(Path.Combine(figures, "mine.txt"));

        File.WriteAllText(Path.Combine(results, "REPORT.md"), "# My own notes\n");
        BadInput.Line(Repo.Ablate("report", "--results", results), "REPORT.md");
        Assert.Equal("# My own notes\n", File.ReadAllText(Path.Combine(results, "REPORT.md")));
        File.Delete(Path.Combine(results, "REPORT.md"));

        var ok = Repo.Ablate("report", "--results", results);
        Assert.True(ok.ExitCode == 0, ok.Stderr + ok.Stdout);
        var again = Repo.Ablate("report", "--results", results);   // its own outputs: replaced without complaint
        Assert.True(again.ExitCode == 0, again.Stderr + again.Stdout);
    }
}
