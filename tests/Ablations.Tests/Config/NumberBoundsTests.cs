using Ablations.Config;
using Ablations.Model;
using Ablations.Model.FeedForward;
using Ablations.Model.Norms;
using Ablations.Training;

namespace Ablations.Tests.Config;

/// <summary>Numbers that are not finite, and sizes beyond what could be built or counted, fail at load naming the key.</summary>
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

    [Theory]
    [InlineData("model.n_layers=2000000000", "model.n_layers", "1,000,000")]
    [InlineData("model.d_model=2000000", "model.d_model", "1,048,576")]
    [InlineData("model.vocab_size=100000000", "model.vocab_size", "16,777,216")]
    [InlineData("model.context_length=100000000", "model.context_length", "16,777,216")]
    [InlineData("model.attention.n_heads=100000", "model.attention.n_heads", "65,536")]
    [InlineData("model.attention.head_dim=100000", "model.attention.head_dim", "65,536")]
    [InlineData("model.attention.window=100000000", "model.attention.window", "16,777,216")]
    [InlineData("model.feed_forward.hidden=100000000", "model.feed_forward.hidden", "16,777,216")]
    [InlineData("model.moe.n_experts=100000", "model.moe.n_experts", "65,536")]
    [InlineData("model.moe.expert_hidden=2000000", "model.moe.expert_hidden", "1,048,576")]
    [InlineData("model.per_layer_embeddings.dim=100000", "model.per_layer_embeddings.dim", "65,536")]
    [InlineData("data.markov.tokens=5000000000", "data.markov.tokens", "1,000,000,000")]
    public void Sizes_beyond_their_bound_are_refused_naming_the_bound(string set, string key, string bound)
    {
        var e = Fails(Tiny.Replace("n_layers: 2", "n_layers: 2\n  attention: { kind: mha, n_heads: 4 }"), set);
        Assert.Contains($"{key}: must be at most {bound}, got ", e.Message);
    }

    [Fact]
    public void Latent_attention_ranks_are_bounded()
    {
        var e = Fails("model:\n  attention: { kind: mla, n_heads: 4, kv_lora_rank: 100000, qk_nope_head_dim: 8, qk_rope_head_dim: 8, v_head_dim: 8 }\n");
        Assert.Equal(("model.attention.kv_lora_rank", 2), (e.Key, e.Line));
        Assert.Contains("must be at most 65,536", e.Message);
    }

    [Fact]
    public void Recall_sequences_are_bounded_by_the_tokens_they_generate()
    {
        var e = Fails(Tiny, "data.source=recall", "data.recall.sequences=100000000");
        Assert.Equal("data.recall.sequences", e.Key);
        Assert.Contains("the tokens a task may generate (sequences 100,000,000 x tokens per sequence 105) " +
                        "must be at most 1,000,000,000", e.Message);
    }

    [Fact]
    public void Too_many_layers_of_a_sane_width_are_refused_as_too_many_layers()
    {
        // 1,000,000 layers of d_model 65,536: each layer is within its bounds, the whole is 10^18 parameters.
        var e = Fails(Tiny, "model.n_layers=1000000", "model.d_model=65536");
        Assert.Equal("model.n_layers", e.Key);
        Assert.Equal("--set model.n_layers=1000000", e.File);
        Assert.Contains("more than the 1000.00T ablate counts", e.Message);
        Assert.Contains("the parameters of at most", e.Message);
    }

    [Theory]
    [InlineData("model.attention.n_heads=65536", "model.attention.head_dim=65536", "model.attention.n_heads", "attention")]
    [InlineData("model.moe.n_experts=65536", "model.moe.expert_hidden=1048576", "model.moe.n_experts", "routed experts")]
    public void A_model_whose_single_layer_is_beyond_counting_is_refused_for_that_layer_width(string set1, string set2, string key, string component)
    {
        var e = Fails(Tiny, "model.d_model=1048576", set1, set2);
        Assert.Equal(key, e.Key);
        Assert.Contains($"one layer alone holds", e.Message);
        Assert.Contains($"of them in its {component}", e.Message);
    }
}
