using Ablations.Config;
using Ablations.Model;
using Ablations.Model.Norms;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

public class DecoderTests
{
    public static IEnumerable<object[]> KindsAndPlacements() =>
        from kind in Enum.GetValues<AttentionKind>()
        from placement in Enum.GetValues<NormPlacement>()
        select new object[] { kind, placement };

    [Theory]
    [MemberData(nameof(KindsAndPlacements))]
    public void Forward_gives_finite_logits_of_shape_batch_time_vocab(AttentionKind kind, NormPlacement placement)
    {
        var config = TinyModels.Base(kind) with { Norm = new RmsNormConfig { Placement = placement } };
        using var model = new Decoder(config);
        using var tokens = TinyModels.RandomTokens(2, 7, config.VocabSize, seed: 1);
        using var logits = model.forward(tokens);
        Assert.Equal(new long[] { 2, 7, config.VocabSize }, logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void Same_seed_builds_the_same_model_and_logits()
    {
        var config = TinyModels.Moe(TinyModels.Base(AttentionKind.Mla));
        using var tokens = TinyModels.RandomTokens(2, 9, config.VocabSize, seed: 2);
        using var a = new Decoder(config, seed: 42);
        manual_seed(7);                      // the global generator plays no part
        using var b = new Decoder(config, seed: 42);
        using var c = new Decoder(config, seed: 43);
        using var la = a.forward(tokens);
        using var lb = b.forward(tokens);
        Assert.Equal(0f, (la - lb).abs().max().item<float>());
        using var lc = c.forward(tokens);
        Assert.NotEqual(0f, (la - lc).abs().max().item<float>());
    }

    [Fact]
    public void Future_tokens_do_not_change_past_logits()
    {
        var config = TinyModels.Windowed(TinyModels.Base(), 3);
        using var model = new Decoder(config);
        using var tokens = TinyModels.RandomTokens(1, 8, config.VocabSize, seed: 3);
        using var changed = tokens.clone();
        changed[0, 7] = tensor(0L).item<long>() == tokens[0, 7].item<long>() ? 1L : 0L;
        using var a = model.forward(tokens);
        using var b = model.forward(changed);
        Assert.True((a.narrow(1, 0, 7) - b.narrow(1, 0, 7)).abs().max().item<float>() == 0);
        Assert.True((a.narrow(1, 7, 1) - b.narrow(1, 7, 1)).abs().max().item<float>() > 0);
    }

    [Fact]
    public void Post_norm_block_output_is_normalised()
    {
        var config = TinyModels.Base() with { Norm = new RmsNormConfig { Placement = NormPlacement.Post } };
        using var model = new Decoder(config);
        using var x = randn(2, 5, config.DModel) * 3;
        using var y = model.Layers[0].Forward(x, new ForwardContext(0, null));
        using var rms = y.pow(2).mean(new long[] { -1 }).sqrt();
        Assert.True((rms - 1).abs().max().item<float>() < 1e-3);
    }

    [Theory]
    [InlineData(NormPlacement.Olmo2, new[] { "attn_norm", "ffn_norm" })]
    [InlineData(NormPlacement.Sandwich, new[] { "post_attn_norm", "post_ffn_norm" })]
    public void Norms_that_close_a_branch_sit_inside_the_residual(NormPlacement placement, string[] closing)
    {
        // With the gains of the branch-closing norms at zero, each branch adds nothing: the block is the identity.
        var config = TinyModels.Base() with { Norm = new RmsNormConfig { Placement = placement } };
        using var model = new Decoder(config);
        var block = model.Layers[0];
        using (no_grad())
            foreach (var (name, p) in block.named_parameters())
                if (closing.Any(c => name.StartsWith(c + "."))) p.zero_();
        using var x = randn(2, 5, config.DModel);
        using var y = block.Forward(x, new ForwardContext(0, null));
        Assert.True((y - x).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void Block_classes_follow_the_norm_placement()
    {
        var expected = new Dictionary<NormPlacement, Type>
        {
            [NormPlacement.Pre] = typeof(PreNormBlock), [NormPlacement.Post] = typeof(PostNormBlock),
            [NormPlacement.Olmo2] = typeof(Olmo2NormBlock), [NormPlacement.Sandwich] = typeof(SandwichNormBlock),
        };
        foreach (var (placement, type) in expected)
        {
            using var model = new Decoder(TinyModels.Base() with { Norm = new RmsNormConfig { Placement = placement } });
            Assert.All(model.Layers, l => Assert.IsType(type, l));
        }
    }

    [Fact]
    public void Layernorm_kind_builds_layernorm_with_bias_and_rmsnorm_without()
    {
        using var ln = new Decoder(TinyModels.Base() with { Norm = new LayerNormConfig() });
        Assert.Contains(ln.named_parameters(), p => p.name.EndsWith("attn_norm.bias"));
        using var rms = new Decoder(TinyModels.Base());
        Assert.DoesNotContain(rms.named_parameters(), p => p.name.EndsWith(".bias"));
        Assert.IsType<RmsNorm>(rms.named_modules().Single(m => m.name == "layers.0.attn_norm").module);
    }
}
