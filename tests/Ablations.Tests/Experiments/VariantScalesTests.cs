using Ablations.Config;
using Ablations.Experiments;

namespace Ablations.Tests.Experiments;

/// <summary>A variant's own keys at one scale (an MLA latent that keeps its ratio to d_model at the full size).</summary>
public class VariantScalesTests
{
    readonly string _dir = TinyRuns.TempFolder("variant-scales-");

    static string WithPostScales(string scales) => TinyExperiment.Yaml.Replace("""
                  - name: post
                    set: { model.norm.placement: post }
                """, $$"""
                  - name: post
                    set: { model.norm.placement: post }
                    scales: {{scales}}
                """);

    [Fact]
    public void A_variants_keys_at_a_scale_apply_after_its_set_at_that_scale_only()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, WithPostScales("{ smoke: { model.feed_forward.hidden: 48, train.lr: 3.0e-3 } }")));
        var smoke = spec.Expand("smoke");
        Assert.All(smoke.Where(r => r.Variant == "post"), r => Assert.Equal((48, 3.0e-3), (r.Config.Model.FeedForward.Hidden, r.Config.Train.Lr)));
        Assert.All(smoke.Where(r => r.Variant == "pre"), r => Assert.Equal((64, 1.0e-2), (r.Config.Model.FeedForward.Hidden, r.Config.Train.Lr)));
        Assert.All(spec.Expand("small").Where(r => r.Variant == "post"), r => Assert.Equal(64, r.Config.Model.FeedForward.Hidden));
    }

    [Fact]
    public void A_variant_scale_that_the_experiment_lacks_or_an_unknown_key_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir, WithPostScales("{ huge: { model.d_model: 64 } }"))));
        Assert.Contains("scale 'huge' is not among the experiment's scales (smoke, small)", e.Message);
        Assert.Contains("unknown key", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            WithPostScales("{ smoke: { model.feed_forward.width: 48 } }")))).Message);
    }
}
