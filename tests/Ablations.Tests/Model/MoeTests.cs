using Ablations.Config;
using Ablations.Model;
using Ablations.Model.FeedForward;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

public class MoeTests
{
    [Theory]
    [InlineData(FeedForwardKind.Swiglu)]
    [InlineData(FeedForwardKind.Gelu)]
    [InlineData(FeedForwardKind.Geglu)]
    public void Tensor_dispatch_equals_a_token_by_token_reference(FeedForwardKind kind)
    {
        manual_seed(5);
        var moe = new MoeConfig { NExperts = 5, TopK = 2, ExpertHidden = 6 };
        using var experts = new RoutedExperts(8, kind == FeedForwardKind.Gelu ? new GeluMlpConfig() : new GatedFeedForwardConfig { Kind = kind }, moe);
        foreach (var p in experts.parameters()) { using var _ = no_grad(); p.normal_(0, 0.5); }
        using var x = randn(9, 8);
        using var chosen = tensor(new long[] { 0, 1, 1, 0, 4, 4, 2, 1, 0, 3, 3, 4, 1, 2, 0, 2, 4, 3 }, 9, 2);
        using var weights = rand(9, 2);
        using var y = experts.Forward(x, chosen, weights);

        var named = experts.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        for (int t = 0; t < 9; t++)
        {
            using var expected = zeros(8);
            for (int j = 0; j < 2; j++)
            {
                var e = chosen[t, j].item<long>();
                var up = x[t].matmul(named["up_proj"][e]);
                var hidden = kind switch
                {
                    FeedForwardKind.Swiglu => nn.functional.silu(x[t].matmul(named["gate_proj"][e])) * up,
                    FeedForwardKind.Geglu => x[t].matmul(named["gate_proj"][e]).gelu(TorchSharp.Modules.GELU.Approximate.tanh) * up,
                    _ => nn.functional.gelu(up),
                };
                expected.add_(hidden.matmul(named["down_proj"][e]) * weights[t, j]);
            }
            Assert.True((y[t] - expected).abs().max().item<float>() < 1e-5, $"token {t}");
        }
    }

    [Fact]
    public void Aux_loss_is_added_only_when_training_with_aux_loss_balancing()
    {
        var config = TinyModels.Moe(TinyModels.Base());
        using var model = new Decoder(config);
        using var tokens = TinyModels.RandomTokens(2, 8, config.VocabSize, seed: 4);
        var output = model.Forward(tokens);
        Assert.NotNull(output.AuxLoss);
        Assert.True(output.AuxLoss!.item<float>() > 0);
        model.eval();
        Assert.Null(model.Forward(tokens).AuxLoss);

        using var free = new Decoder(TinyModels.Moe(TinyModels.Base(), balancing: MoeBalancing.AuxFree));
        Assert.Null(free.Forward(tokens).AuxLoss);
    }

    [Fact]
    public void Aux_free_bias_moves_toward_underloaded_experts()
    {
        var config = TinyModels.Moe(TinyModels.Base(), balancing: MoeBalancing.AuxFree);
        using var model = new Decoder(config);
        using var tokens = TinyModels.RandomTokens(4, 16, config.VocabSize, seed: 8);
        var output = model.Forward(tokens);
        Assert.Equal(new long[] { 2, 4 }, output.ExpertLoad!.shape);     // two MoE layers, four experts, left on the device
        var router = model.Routers.First();
        var load = output.ExpertLoad[0].data<long>().ToArray();
        Assert.Equal(4 * 16 * 2, load.Sum());
        model.AfterOptimizerStep(output.ExpertLoad);
        var bias = router.named_buffers().Single(b => b.name == "expert_bias").buffer.data<float>().ToArray();
        var mean = load.Average();
        for (int e = 0; e < load.Length; e++)
            Assert.Equal(Math.Sign(mean - load[e]) * 0.001f, bias[e], 6);
    }
}

/// <summary>The router must learn from the language-model loss itself, whatever its top_k, scoring, balancing and normalisation.</summary>
public class RouterGradientTests
{
    public static IEnumerable<object[]> Combinations() =>
        from topK in new[] { 1, 2 }
        from scoring in Enum.GetValues<RouterScoring>()
        from balancing in Enum.GetValues<MoeBalancing>()
        from normalize in new[] { true, false }
        select new object[] { topK, scoring, balancing, normalize };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void The_gate_gets_a_gradient_from_the_language_model_loss_alone(int topK, RouterScoring scoring, MoeBalancing balancing, bool normalize)
    {
        var config = TinyModels.Base() with
        {
            Moe = new MoeConfig { NExperts = 4, TopK = topK, ExpertHidden = 16, Scoring = scoring, Balancing = balancing, NormalizeTopK = normalize },
        };
        using var model = new Decoder(config, seed: 3);
        model.train();
        using var tokens = TinyModels.RandomTokens(2, 12, config.VocabSize, seed: 5);
        var output = model.Forward(tokens.narrow(1, 0, 11));
        // Cross-entropy only: the balance loss (when there is one) is left out on purpose.
        nn.functional.cross_entropy(output.Logits.reshape(-1, config.VocabSize), tokens.narrow(1, 1, 11).reshape(-1)).backward();
        foreach (var router in model.Routers)
        {
            var gate = router.named_parameters().Single(p => p.name == "gate.weight").parameter;
            Assert.NotNull(gate.grad);
            Assert.True(gate.grad!.abs().sum().item<float>() > 1e-7, $"top_k {topK}, {scoring}, {balancing}, normalize {normalize}: the gate gets no gradient");
        }
    }
}
