using Ablations.Analysis;
using Ablations.Config;
using Ablations.Model;
using static TorchSharp.torch;
using Ablations.Model.Positions;
using Ablations.Model.Attention;
using Ablations.Model.Norms;
using Ablations.Model.FeedForward;

namespace Ablations.Tests.Model;

public class ParameterCountTests
{
    public static IEnumerable<object[]> Configurations()
    {
        foreach (var kind in Enum.GetValues<AttentionKind>())
        {
            var m = TinyModels.Base(kind);
            yield return new object[] { $"{kind}", m };
            yield return new object[] { $"{kind} untied learned layernorm post gelu", m with
            {
                TieEmbeddings = false,
                Positions = new LearnedPositionConfig(),
                Norm = new LayerNormConfig { Placement = NormPlacement.Post },
                FeedForward = new GeluMlpConfig(),
            } };
            yield return new object[] { $"{kind} sandwich moe shared", TinyModels.Moe(m with { Norm = new RmsNormConfig { Placement = NormPlacement.Sandwich } }) };
            yield return new object[] { $"{kind} olmo2 geglu moe no shared", TinyModels.Moe(m with
            {
                Norm = new RmsNormConfig { Placement = NormPlacement.Olmo2 },
                FeedForward = new GatedFeedForwardConfig { Kind = FeedForwardKind.Geglu, Hidden = 40 },
            }, shared: 0) };
        }
        yield return new object[] { "gqa qk_norm windowed", TinyModels.Windowed(TinyModels.Base() with { Attention = (GroupedAttentionConfig)TinyModels.Base().Attention with { QkNorm = true } }, 4) };
        yield return new object[] { "mla without query compression", TinyModels.Base(AttentionKind.Mla) with { Attention = (LatentAttentionConfig)TinyModels.Attention(AttentionKind.Mla) with { QLoraRank = 0 } } };
        yield return new object[] { "per-layer embeddings, matformer, soft-caps", TinyModels.Base() with
        {
            PerLayerEmbeddings = new PerLayerEmbeddingsConfig { Dim = 8 }, FeedForward = new MatFormerConfig { Hidden = 40 },
            FinalLogitSoftcap = 30, Attention = (GroupedAttentionConfig)TinyModels.Base().Attention with { LogitSoftcap = 50 },
        } };
        yield return new object[] { "moe gelu experts", TinyModels.Moe(TinyModels.Base() with { FeedForward = new GeluMlpConfig { Hidden = 64 } }, shared: 2) };
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Analytic_count_equals_the_instantiated_model(string name, ModelConfig config)
    {
        using var model = new Decoder(config);
        var inspection = Inspector.Inspect(config, 16);
        Assert.True(model.ParameterCount() == inspection.TotalParameters,
            $"{name}: built {model.ParameterCount()}, analytic {inspection.TotalParameters}");
    }

    [Fact]
    public void Tiny_gqa_model_has_the_hand_computed_count()
    {
        // embedding 61*32 = 1952; per layer: q 32*32 + k 32*16 + v 32*16 + o 32*32 = 3072,
        // SwiGLU 3*32*48 = 4608, two RMSNorm gains 64 -> 7744; three layers 23232; final norm 32; tied head 0.
        using var model = new Decoder(TinyModels.Base());
        Assert.Equal(1952 + 3 * 7744 + 32, model.ParameterCount());
    }

    [Fact]
    public void Per_layer_embeddings_have_the_hand_computed_count()
    {
        // table 61 x (3 layers x 8); per layer a gate 32x8, a projection 8x32 and an RMSNorm gain of 32.
        var config = TinyModels.Base() with { PerLayerEmbeddings = new PerLayerEmbeddingsConfig { Dim = 8 } };
        using var model = new Decoder(config);
        using var plain = new Decoder(TinyModels.Base());
        Assert.Equal(61 * 24 + 3 * (256 + 256 + 32), model.ParameterCount() - plain.ParameterCount());
        Assert.Equal(61 * 24, Inspector.Inspect(config, 16).PerLayerEmbeddingParameters);
    }

    [Fact]
    public void Tiny_mla_attention_has_the_hand_computed_count()
    {
        // q: 32*12 + 12 (norm) + 12*4*(6+4) = 876; kv: 32*(10+4) + 10 (norm) + 10*4*(6+5) = 898; o: 4*5*32 = 640
        var config = TinyModels.Base(AttentionKind.Mla);
        using var model = new Decoder(config);
        var attention = model.Layers[0].AttentionModule.parameters().Sum(p => p.NumberOfElements);
        Assert.Equal(876 + 898 + 640, attention);
    }

    [Fact]
    public void Moe_active_count_uses_top_k_routed_experts_plus_shared_and_router()
    {
        var config = TinyModels.Moe(TinyModels.Base());   // 4 experts of 3*32*16 = 1536, top 2, 1 shared, router 32*4
        var i = Inspector.Inspect(config, 16);
        Assert.Equal(2 * (4 * 1536L), i.Parameters.Single(r => r.Component == "routed experts").Total);     // two MoE layers
        Assert.Equal(2 * (2 * 1536L), i.Parameters.Single(r => r.Component == "routed experts").Active);
        Assert.Equal(i.TotalParameters - 2 * 2 * 1536L, i.ActiveParameters);
    }
}
