using Ablations.Config;
using Ablations.Experiments;
using Ablations.Model;

namespace Ablations.Tests.Experiments;

public class ExperimentLoaderTests
{
    readonly string _dir = TinyRuns.TempFolder("exp-load-");

    ConfigException Fails(string yaml)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir, yaml)));
        Assert.Contains("tiny-exp.yaml", e.Message);
        return e;
    }

    [Fact]
    public void Expands_variants_by_sweep_points_by_seeds_into_folders()
    {
        var yaml = TinyExperiment.Yaml.Replace("scales:", "sweep:\n  train.lr: [1.0e-3, 1.0e-2, 3.0e-2]\nscales:");
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, yaml));
        var runs = spec.Expand(null);
        Assert.Equal(2 * 3 * 2, runs.Count);
        Assert.Equal(Path.Combine("post", "lr=1.0e-2", "seed-1"), runs.Single(r => r.Variant == "post" && r.SweepPoint == "lr=1.0e-2" && r.Seed == 1).Folder);
        Assert.All(runs, r => Assert.Equal(r.Seed, r.Config.Train.Seed));
        Assert.All(runs.Where(r => r.Variant == "post"), r => Assert.Equal(NormPlacement.Post, r.Config.Model.Norm.Placement));
        Assert.Equal(new[] { 1e-3, 1e-2, 3e-2 }, runs.Where(r => r.Variant == "pre" && r.Seed == 0).Select(r => r.Config.Train.Lr));
    }

    [Fact]
    public void Scale_then_variant_then_sweep_then_command_line()
    {
        var yaml = TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "set: { model.norm.placement: post, train.steps: 3 }");
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, yaml));
        var smoke = spec.Expand("smoke");
        Assert.Equal(6, smoke.First(r => r.Variant == "pre").Config.Train.Steps);     // scale
        Assert.Equal(3, smoke.First(r => r.Variant == "post").Config.Train.Steps);    // variant beats scale
        var cli = spec.Expand("smoke", new[] { "train.steps=9" });
        Assert.All(cli, r => Assert.Equal(9, r.Config.Train.Steps));                   // command line beats both
        Assert.Equal("small", spec.DefaultScale);
        Assert.Equal("tiny-exp", spec.FolderName(null));
        Assert.Equal("tiny-exp.smoke", spec.FolderName("smoke"));
    }

    [Fact]
    public void Extends_a_run_file_and_merges_the_inline_base()
    {
        File.WriteAllText(Path.Combine(_dir, "base.yaml"), "model:\n  d_model: 48\n  n_layers: 3\ntrain:\n  steps: 50\n");
        var yaml = "extends: base.yaml\nbase:\n  model:\n    n_layers: 2\nvariants:\n  - name: a\n";
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, yaml));
        var run = spec.Expand(null).Single();
        Assert.Equal(48, run.Config.Model.DModel);
        Assert.Equal(2, run.Config.Model.NLayers);
        Assert.Equal(50, run.Config.Train.Steps);
        Assert.Equal("a", spec.Baseline);
    }

    [Fact]
    public void Unknown_variant_key_names_the_line_and_the_allowed_keys()
    {
        var e = Fails(TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "set: { model.norm.placment: post }"));
        Assert.Equal("model.norm.placment", e.Key);
        Assert.Equal(21, e.Line);
        Assert.Contains("placement", e.Message);
        Assert.Contains("variant post", e.Message);
    }

    [Fact]
    public void Sweep_over_a_key_that_does_not_exist_is_refused()
    {
        var e = Fails(TinyExperiment.Yaml.Replace("scales:", "sweep:\n  train.learning_rate: [1, 2]\nscales:"));
        Assert.Equal("train.learning_rate", e.Key);
        Assert.Contains("unknown key 'learning_rate'", e.Message);
    }

    [Fact]
    public void Duplicate_variant_names_are_refused()
    {
        var e = Fails(TinyExperiment.Yaml.Replace("- name: post", "- name: pre"));
        Assert.Contains("duplicate variant name 'pre'", e.Message);
    }

    [Fact]
    public void Baseline_must_be_a_variant()
    {
        var e = Fails(TinyExperiment.Yaml.Replace("baseline: pre", "baseline: sandwich"));
        Assert.Equal("baseline", e.Key);
        Assert.Contains("pre, post", e.Message);
    }

    [Fact]
    public void Unknown_top_level_key_is_refused()
    {
        var e = Fails(TinyExperiment.Yaml + "\nrepeats: 3\n");
        Assert.Equal("repeats", e.Key);
        Assert.Contains("allowed", e.Message);
    }

    [Fact]
    public void Variant_value_that_breaks_the_model_names_the_variant()
    {
        var e = Fails(TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "set: { model.attention.n_kv_heads: 3 }"));
        Assert.Contains("line 20, variant post", e.Message);
        Assert.Contains("not divisible", e.Message);
    }

    [Fact]
    public void Unknown_scale_and_unknown_only_variant_are_refused()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir));
        Assert.Contains("smoke, small", Assert.Throws<ConfigException>(() => spec.Expand("huge")).Message);
        Assert.Contains("no variant 'sandwich'", Assert.Throws<ConfigException>(() => spec.Expand(null, only: new[] { "sandwich" })).Message);
    }
}
