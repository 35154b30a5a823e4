using Ablations.Config;
using Ablations.Model;
using Ablations.Model.FeedForward;
using Ablations.Model.Norms;
using Ablations.Training;

namespace Ablations.Tests.Config;

/// <summary>Numbers that are not finite fail at load naming the key, and range checks refuse NaN.</summary>
public class NumberBoundsTests
{
    const string Tiny = "model:\n  d_model: 64\n  n_layers: 2\ntrain:\n  lr: 0.001\n";

    static ConfigException Fails(string yaml, params string[] set) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(yaml, "run.yaml", set));

    /// <summary>Every key of a run file that takes a number (double), found by walking the records as the binder does.</summary>
    public static IEnumerable<object[]> DoubleKeys()
    {
        static IEnumerable<string> Walk(Type type, string prefix)
        {
            foreach (var (name, prop) in YamlBinder.SettableProperties(type))
            {
                var t = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                if (t == typeof(double)) yield return prefix + name;
                else if (YamlBinder.IsRecord(t)) foreach (var key in Walk(t, prefix + name + ".")) yield return key;
            }
        }
        return Walk(typeof(RunConfig), "").Select(k => new object[] { k });
    }

    [Theory]
    [MemberData(nameof(DoubleKeys))]
    public void Every_number_key_refuses_nan_and_infinity_naming_the_set(string key)
    {
        foreach (var (text, shown) in new[] { ("nan", "NaN"), ("Infinity", "Infinity"), ("-.inf", "-.inf") })
        {
            var e = Fails(Tiny, $"{key}={text}");
            Assert.Equal($"--set {key}={text}", e.File);
            Assert.Equal(key, e.Key);
            Assert.Equal($"must be a finite number, got {shown}", e.Reason);
        }
    }

    [Fact]
    public void Nan_written_in_the_file_is_refused_at_its_line()
    {
        var e = Fails(Tiny.Replace("lr: 0.001", "lr: .nan"));
        Assert.Equal(("run.yaml", 5, "train.lr"), (e.File, e.Line, e.Key));
        Assert.Contains("must be a finite number, got .nan", e.Message);
    }

    [Fact]
    public void A_list_of_numbers_refuses_nan_in_an_item()
    {
        var e = Fails(Tiny, "model.feed_forward.kind=matformer", "model.feed_forward.granularities=[0.5, nan]");
        Assert.Equal("model.feed_forward.granularities[1]", e.Key);
        Assert.Contains("must be a finite number, got NaN", e.Message);
    }

    /// <summary>Records built in code skip the binder; their range checks must still refuse NaN.</summary>
    public static IEnumerable<object[]> RecordsWithNan()
    {
        const double nan = double.NaN;
        yield return new object[] { new TrainConfig { Lr = nan }, "lr" };
        yield return new object[] { new TrainConfig { MinLrRatio = nan }, "min_lr_ratio" };
        yield return new object[] { new TrainConfig { DecayFraction = nan }, "decay_fraction" };
        yield return new object[] { new TrainConfig { WeightDecay = nan }, "weight_decay" };
        yield return new object[] { new TrainConfig { Beta1 = nan }, "beta1" };
        yield return new object[] { new TrainConfig { Beta2 = nan }, "beta2" };
        yield return new object[] { new TrainConfig { Eps = nan }, "eps" };
        yield return new object[] { new TrainConfig { GradClip = nan }, "grad_clip" };
        yield return new object[] { new TrainConfig { ZLoss = nan }, "z_loss" };
        yield return new object[] { new TrainConfig { DivergenceNats = nan }, "divergence_nats" };
        yield return new object[] { new DataConfig { ValidationFraction = nan }, "validation_fraction" };
        yield return new object[] { new MarkovConfig { Concentration = nan }, "concentration" };
        yield return new object[] { new MoeConfig { AuxLossCoef = nan }, "aux_loss_coef" };
        yield return new object[] { new MoeConfig { BiasUpdateRate = nan }, "bias_update_rate" };
        yield return new object[] { new MoeConfig { RoutedScaling = nan }, "routed_scaling" };
        yield return new object[] { new RmsNormConfig { Eps = nan }, "eps" };
        yield return new object[] { new ModelConfig { InitStd = nan }, "init_std" };
        yield return new object[] { new ModelConfig { Dropout = nan }, "dropout" };
        yield return new object[] { new ModelConfig { FinalLogitSoftcap = nan }, "final_logit_softcap" };
    }

    [Theory]
    [MemberData(nameof(RecordsWithNan))]
    public void Range_checks_refuse_nan_in_records_built_in_code(IValidatable record, string key) =>
        Assert.Contains(record.Validate(), e => e.Key == key);
}
