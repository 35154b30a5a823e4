using Ablations.Analysis;
using Ablations.Config;
using Ablations.Model;
using Ablations.Model.FeedForward;
using Ablations.Training;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

/// <summary>MatFormer's nested feed-forward: prefixes of one block, counted per sub-model, trained together.</summary>
public class MatFormerTests
{
    static readonly MatFormerConfig Nested = new() { Hidden = 48, Granularities = new[] { 0.25, 0.5, 1.0 } };

    static ModelConfig Model(GateActivation gate = GateActivation.Silu) => TinyModels.Base() with { FeedForward = Nested with { Gate = gate } };

    [Fact]
    public void Widths_are_the_shares_of_hidden()
    {
        Assert.Equal(new long[] { 12, 24, 48 }, Nested.Widths(32));
        Assert.Equal(3, new Decoder(Model()).Granularities);
    }

    [Theory]
    [InlineData(GateActivation.Silu)]
    [InlineData(GateActivation.Gelu)]
    public void Each_granularity_equals_a_dense_gated_block_made_of_the_weight_prefixes(GateActivation gate)
    {
        manual_seed(2);
        var model = Model(gate);
        var layer = LayerPlan.From(model).Layers[0];
        using var nested = (MatFormerFeedForward)layer.FeedForward.Build(model, layer);
        foreach (var p in nested.parameters()) using (no_grad()) p.normal_(0, 0.3);
        var weights = nested.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var x = randn(2, 5, 32);
        for (int g = 0; g < 3; g++)
        {
            var w = Nested.Widths(32)[g];
            using var dense = (SwiGlu)((MatFormerConfig)model.FeedForward).AtGranularity(g, 32).Build(model, layer);
            using (no_grad())
            {
                var d = dense.named_parameters().ToDictionary(p => p.name, p => p.parameter);
                d["gate_proj.weight"].copy_(weights["gate_proj.weight"].narrow(0, 0, w));
                d["up_proj.weight"].copy_(weights["up_proj.weight"].narrow(0, 0, w));
                d["down_proj.weight"].copy_(weights["down_proj.weight"].narrow(1, 0, w));
            }
            using var expected = dense.Forward(x, new ForwardContext(0, null));
            using var actual = nested.Forward(x, new ForwardContext(0, null, granularity: g));
            Assert.True((expected - actual).abs().max().item<float>() < 1e-6, $"granularity {g}");
        }
        using var full = nested.Forward(x, new ForwardContext(0, null));
        using var last = nested.Forward(x, new ForwardContext(0, null, granularity: 2));
        Assert.Equal(0f, (full - last).abs().max().item<float>());
    }

    [Fact]
    public void The_model_counts_its_full_width_and_a_granularity_counts_its_sub_model()
    {
        var model = Model();
        using var built = new Decoder(model);
        Assert.Equal(built.ParameterCount(), Inspector.Inspect(model, 16).TotalParameters);
        // The sub-model of share 0.25: per layer a gated block of 12 hidden units, 3 x 32 x 12 instead of 3 x 32 x 48.
        var sub = model with { FeedForward = model.FeedForward.AtGranularity(0, 32) };
        Assert.Equal(built.ParameterCount() - 3 * 3 * 32 * (48 - 12), Inspector.Inspect(sub, 16).TotalParameters);
    }

    [Fact]
    public void Granularities_must_ascend_to_the_full_width()
    {
        foreach (var bad in new[] { new[] { 0.5, 0.25, 1.0 }, new[] { 0.5 }, new[] { 0.0, 1.0 }, Array.Empty<double>() })
            Assert.Contains((Nested with { Granularities = bad }).Validate(), e => e.Key == "granularities");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>("model:\n  feed_forward: { kind: matformer, granularities: [0.5, 0.75] }\n", "m.yaml"));
        Assert.Equal("model.feed_forward.granularities", e.Key);
    }

    [Fact]
    public void Joint_training_teaches_every_sub_model()
    {
        var config = TinyRuns.Markov(steps: 60);
        config = config with { Model = config.Model with { FeedForward = new MatFormerConfig { Hidden = 96, Granularities = new[] { 0.25, 1.0 } } } };
        var folder = TinyRuns.TempFolder("matformer-");
        Assert.NotNull(new Trainer(config, folder).Run());
        using var model = new Decoder(config.Model);
        Checkpoint.Load(folder, model, optimizer: null);
        model.eval();
        using var data = Ablations.Data.DataFactory.Prepare(config.Data, config.SequenceLength, Repo.Root);
        var (input, target) = data.Validation.Fixed(1, 16).Single();
        using var noGrad = no_grad();
        using var fresh = new Decoder(config.Model, seed: 99);
        double Loss(Decoder m, int g) => nn.functional.cross_entropy(
            m.Forward(input, granularity: g).Logits.reshape(-1, config.Model.VocabSize), target.reshape(-1), ignore_index: -100).item<float>();
        for (int g = 0; g < 2; g++)
            Assert.True(Loss(model, g) < Loss(fresh, g) - 0.3, $"granularity {g}: {Loss(model, g)} trained vs {Loss(fresh, g)} untrained");
    }
}
