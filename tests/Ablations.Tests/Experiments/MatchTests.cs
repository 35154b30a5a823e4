using Ablations.Analysis;
using Ablations.Config;
using Ablations.Experiments;
using Ablations.Training;

namespace Ablations.Tests.Experiments;

/// <summary>match: a variant's parameter count made equal to the baseline's by solving one key.</summary>
public class MatchTests
{
    readonly string _dir = TinyRuns.TempFolder("match-");

    /// <summary>The tiny experiment with MHA as the baseline and MQA, matched as given, as the other variant.</summary>
    static string Yaml(string match)
    {
        var yaml = TinyExperiment.Yaml.Replace("baseline: pre", "baseline: mha");
        var (from, to) = (yaml.IndexOf("variants:"), yaml.IndexOf("scales:"));
        return yaml[..from] + "variants:\n  - name: mha\n    set: { model.attention.kind: mha }\n  - name: mqa\n    set: { model.attention.kind: mqa }\n    "
               + match + "\n" + yaml[to..];
    }

    [Fact]
    public void A_matched_variant_has_the_baselines_parameter_count_within_one_percent()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, Yaml("match: { key: model.feed_forward.hidden }")));
        var runs = spec.Expand("smoke");
        var mha = runs.First(r => r.Variant == "mha").Config;
        var mqa = runs.First(r => r.Variant == "mqa").Config;
        long Total(RunConfig c) => Inspector.Inspect(c.Model, 16).TotalParameters;
        Assert.InRange((double)Total(mqa) / Total(mha), 0.99, 1.01);
        Assert.True(mqa.Model.FeedForward.Hidden > mha.Model.FeedForward.Hidden, "MQA's smaller key/value projections are paid back in feed-forward width");
        Assert.All(runs.Where(r => r.Variant == "mqa"), r => Assert.Equal(mqa.Model.FeedForward.Hidden, r.Config.Model.FeedForward.Hidden));
    }

    [Fact]
    public void A_match_that_cannot_come_within_one_percent_is_refused_with_the_closest_value()
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir, Yaml("match: { key: model.n_layers }"))));
        Assert.Contains("no value of model.n_layers brings the total parameter count within 1%", e.Message);
        Assert.Contains("closest:", e.Message);
    }

    [Fact]
    public void The_baseline_cannot_be_matched_and_the_key_must_exist()
    {
        var baseline = TinyExperiment.Yaml.Replace("set: { model.norm.placement: pre }", "set: { model.norm.placement: pre }\n    match: { key: model.n_layers }");
        Assert.Contains("match applies to the other variants", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir, baseline))).Message);
        Assert.Contains("unknown key", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir, Yaml("match: { key: model.width }")))).Message);
    }
}
