using Ablations.Config;
using static TorchSharp.torch;
using Ablations.Model.FeedForward;
using Ablations.Model.Attention;
using Ablations.Model;

namespace Ablations.Tests;

/// <summary>Small configurations for tests: every component family at sizes that run in milliseconds.</summary>
public static class TinyModels
{
    public static ModelConfig Base(AttentionKind kind = AttentionKind.Gqa) => new()
    {
        VocabSize = 61,
        DModel = 32,
        NLayers = 3,
        ContextLength = 64,
        Attention = Attention(kind),
        FeedForward = new GatedFeedForwardConfig { Kind = FeedForwardKind.Swiglu, Hidden = 48 },
    };

    public static AttentionConfig Attention(AttentionKind kind) => kind switch
    {
        AttentionKind.Mha => new GroupedAttentionConfig { Kind = kind, NHeads = 4 },
        AttentionKind.Gqa => new GroupedAttentionConfig { Kind = kind, NHeads = 4, NKvHeads = 2 },
        AttentionKind.Mqa => new GroupedAttentionConfig { Kind = kind, NHeads = 4 },
        AttentionKind.Mla => new LatentAttentionConfig
        {
            NHeads = 4, QLoraRank = 12, KvLoraRank = 10, QkNopeHeadDim = 6, QkRopeHeadDim = 4, VHeadDim = 5,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Local layers with the given window in a 1:1 pattern (layers 0 and 2 local, 1 global).</summary>
    public static ModelConfig Windowed(ModelConfig model, int window) =>
        model with { Attention = model.Attention with { Window = window, LocalGlobal = "1:1" } };

    public static ModelConfig Moe(ModelConfig model, int shared = 1, MoeBalancing balancing = MoeBalancing.AuxLoss) =>
        model with { Moe = new MoeConfig { NExperts = 4, TopK = 2, NSharedExperts = shared, ExpertHidden = 16, DenseLayers = 1, Balancing = balancing } };

    public static Tensor RandomTokens(long batch, long time, int vocab, int seed)
    {
        var g = new Generator((ulong)seed);
        return randint(0, vocab, new[] { batch, time }, generator: g, dtype: ScalarType.Int64);
    }
}
