using Ablations.Config;
using Ablations.Experiments;
using Ablations.Model;

using Ablations.Model.Attention;

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

    /// <summary>Loading fails at <paramref name="key"/>, and the message starts at its file:line.</summary>
    ConfigException FailsAt(string yaml, string key, int line)
    {
        var e = Fails(yaml);
        Assert.Equal(key, e.Key);
        Assert.Equal(line, e.Line);
        Assert.Contains($"tiny-exp.yaml:{line}:", e.Message);
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
        var e = FailsAt(TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "set: { model.norm.placment: post }"), "model.norm.placment", 21);
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

    [Fact]
    public void Variants_compared_at_one_point_must_share_their_validation_set()
    {
        var e = FailsAt(TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "set: { model.norm.placement: post, train.final_eval_batches: 32 }"), "variants[1]", 20);
        Assert.Contains("variant post (scale smoke) would be validated on other tokens than pre", e.Message);
        // The training batch size is free: the validation set does not depend on it.
        ExperimentLoader.Load(TinyExperiment.Write(_dir, TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "set: { model.norm.placement: post, train.batch_size: 8 }")));
    }

    [Fact]
    public void A_similar_claim_states_its_margin_and_only_a_similar_claim_may()
    {
        var e = FailsAt(WithClaim("{ text: t, a: post, b: pre, expect: similar }"), "claims[0].margin", 26);
        Assert.Contains("expect: similar needs margin", e.Message);
        var f = FailsAt(WithClaim("{ text: t, a: post, b: pre, expect: lower, margin: 0.02 }"), "claims[0].margin", 26);
        Assert.Contains("applies to expect: similar only", f.Message);
        var claim = ExperimentLoader.Load(TinyExperiment.Write(_dir, WithClaim("{ text: t, a: post, b: pre, expect: similar, margin: 0.02, tokens: 1.0e9 }"))).Claims.Single();
        Assert.Equal((0.02, 1_000_000_000L), (claim.Margin, claim.Tokens));
    }

    // TinyExperiment.Yaml is 24 lines, so an appended claims: is line 25 and its first claim line 26.
    static string WithClaim(string claim) => TinyExperiment.Yaml + "\nclaims:\n  - " + claim + "\n";

    [Fact]
    public void Claims_bind_to_their_enums_with_defaults()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, TinyExperiment.Yaml +
            "\nclaims:\n  - { text: logits, a: post, b: pre, expect: higher, metric: max_attn_logit }\n  - { text: loss, a: pre, b: post }\n"));
        Assert.Equal(new ClaimEntry { Text = "logits", A = "post", B = "pre", Expect = ClaimExpectation.Higher, Metric = ClaimMetric.MaxAttnLogit }, spec.Claims[0]);
        Assert.Equal(ClaimExpectation.Lower, spec.Claims[1].Expect);
        Assert.Equal(ClaimMetric.ValLoss, spec.Claims[1].Metric);
    }

    [Fact]
    public void Unknown_key_in_a_claim_names_its_line_and_the_keys_a_claim_has()
    {
        var e = FailsAt(WithClaim("{ text: t, a: post, b: pre, expected: higher }"), "claims[0].expected", 26);
        Assert.Contains("allowed keys in claims[0]: text, a, b, expect, metric, at", e.Message);
    }

    [Fact]
    public void Unknown_key_in_a_variant_names_its_line_and_the_keys_a_variant_has()
    {
        var e = FailsAt(TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "sets: { model.norm.placement: post }"), "variants[1].sets", 21);
        Assert.Contains("allowed keys in variants[1]: name, description, set", e.Message);
    }

    [Fact]
    public void Unknown_top_level_key_names_its_line_and_every_top_level_key()
    {
        var e = FailsAt(TinyExperiment.Yaml + "\nrepeats: 3\n", "repeats", 25);
        Assert.Equal(1, e.Column);
        Assert.Contains("name, description, extends, base, baseline, seeds, variants, sweep, tune, scales, default_scale, claims, report_figures", e.Message);
    }

    [Fact]
    public void Expect_outside_lower_higher_similar_lists_the_allowed_values()
    {
        var e = FailsAt(WithClaim("{ text: t, a: post, b: pre, expect: worse }"), "claims[0].expect", 26);
        Assert.Contains("'worse' is not allowed; allowed: lower | higher | similar", e.Message);
    }

    [Fact]
    public void Metric_outside_the_known_ones_lists_the_allowed_values()
    {
        var e = FailsAt(WithClaim("{ text: t, a: post, b: pre, metric: perplexity }"), "claims[0].metric", 26);
        Assert.Contains("'perplexity' is not allowed; allowed: val_loss | val_accuracy | max_attn_logit | kv_cache", e.Message);
    }

    [Fact]
    public void Report_figure_that_does_not_exist_lists_the_figures()
    {
        var e = FailsAt(TinyExperiment.Yaml + "\nreport_figures: [loss_val, loss_curve]\n", "report_figures[1]", 25);
        Assert.Contains("loss_train | loss_val | grad_norm | max_attn_logit | lr_sensitivity | max_attn_logit_vs_lr | kv_cache", e.Message);
    }

    [Fact]
    public void Claim_about_a_variant_that_does_not_exist_names_the_claim_line()
    {
        var e = FailsAt(WithClaim("{ text: t, a: sandwich, b: pre }"), "claims[0].a", 26);
        Assert.Contains("'sandwich' is not a variant; variants: pre, post", e.Message);
    }

    [Fact]
    public void Claim_at_a_point_the_sweep_does_not_have_is_refused()
    {
        var e = FailsAt(WithClaim("{ text: t, a: post, b: pre, at: lr=1.0e-3 }"), "claims[0].at", 26);
        Assert.Contains("not a sweep point", e.Message);
    }

    [Theory]
    [InlineData("../../../tmp/x")]
    [InlineData("/tmp/x")]
    [InlineData("..")]
    [InlineData("a\\\\b")]
    [InlineData(".hidden")]
    [InlineData("two words")]
    public void Experiment_name_that_is_not_one_plain_folder_is_refused(string name)
    {
        var e = FailsAt(TinyExperiment.Yaml.Replace("name: tiny-exp", $"name: \"{name}\""), "name", 1);
        Assert.Contains("cannot name a folder", e.Message);
    }

    [Fact]
    public void Variant_and_scale_names_follow_the_same_folder_rule()
    {
        Assert.Contains("cannot name a folder", FailsAt(TinyExperiment.Yaml.Replace("- name: post", "- name: ../post"), "variants[1].name", 20).Message);
        Assert.Contains("cannot name a folder", FailsAt(TinyExperiment.Yaml.Replace("smoke: {", "smoke/..: {"), "scales.smoke/..", 23).Message);
    }

    [Fact]
    public void Seed_listed_twice_points_at_the_second_one()
    {
        var e = FailsAt(TinyExperiment.Yaml.Replace("seeds: [0, 1]", "seeds: [0, 1, 0]"), "seeds[2]", 16);
        Assert.Equal(15, e.Column);
        Assert.Contains("seed 0 is listed twice", e.Message);
    }

    [Fact]
    public void Default_scale_must_be_a_scale()
    {
        var e = FailsAt(TinyExperiment.Yaml + "\ndefault_scale: full\n", "default_scale", 25);
        Assert.Contains("'full' is not among the scales (smoke, small)", e.Message);
    }

    [Fact]
    public void Variant_keys_keep_their_order_and_switching_kind_drops_the_old_kinds_keys()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir,
            TinyExperiment.Yaml.Replace("set: { model.norm.placement: post }", "set: { train.steps: 5, model.attention.qk_norm: true, model.attention.kind: mha }")));
        var set = spec.Variants[1].Set;
        Assert.Equal(new[] { "train.steps", "model.attention.qk_norm", "model.attention.kind" }, set.Keys);
        var post = spec.Expand(null).First(r => r.Variant == "post").Config;
        var attention = Assert.IsType<GroupedAttentionConfig>(post.Model.Attention);
        Assert.Null(attention.NKvHeads);                     // the base's n_kv_heads belongs to gqa: dropped with no null written
        Assert.Equal(attention.NHeads, attention.ResolvedNKvHeads);
        Assert.True(attention.QkNorm);                       // set by the same variant before its kind: kept
        Assert.Equal(5, post.Train.Steps);
    }
}
