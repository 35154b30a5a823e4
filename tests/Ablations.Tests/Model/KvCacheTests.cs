using Ablations.Analysis;
using Ablations.Config;
using Ablations.Model;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

public class KvCacheTests
{
    public static IEnumerable<object[]> Cases() =>
        from kind in Enum.GetValues<AttentionKind>()
        from window in new int?[] { null, 5 }
        from moe in new[] { false, true }
        from softcap in new[] { false, true }
        select new object[] { kind, window!, moe, softcap };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Incremental_decoding_matches_full_forward(AttentionKind kind, int? window, bool moe, bool softcap)
    {
        manual_seed(11);
        var config = TinyModels.Base(kind);
        if (window is int w) config = TinyModels.Windowed(config, w);
        if (moe) config = TinyModels.Moe(config);
        // Gemma 2's caps, small enough to bend these scores: the math path (global), the capped band (local, whole
        // sequence) and the capped absorbed MLA decode must agree with each other.
        if (softcap) config = config with { Attention = config.Attention with { LogitSoftcap = 0.3 }, FinalLogitSoftcap = 0.5 };
        if (softcap && !moe) config = config with { PerLayerEmbeddings = new PerLayerEmbeddingsConfig { Dim = 4 } };   // per-token inputs of every layer
        using var model = new Decoder(config);
        model.eval();
        using var tokens = TinyModels.RandomTokens(2, 13, config.VocabSize, seed: 3);
        using var noGrad = no_grad();
        using var full = model.Forward(tokens).Logits;                                   // [2, 13, vocab]

        using var cache = model.NewCache();
        var pieces = new List<Tensor> { model.Forward(tokens.narrow(1, 0, 4), cache).Logits };   // prefill 4
        for (int t = 4; t < 13; t++) pieces.Add(model.Forward(tokens.narrow(1, t, 1), cache).Logits);
        using var incremental = cat(pieces, 1);
        var diff = (incremental - full).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"{kind} window={window} moe={moe} softcap={softcap}: max difference {diff}");
        Assert.Equal(13, cache.Position);

        // The bytes actually held equal the analytic count: per layer min(13, window) positions.
        var expected = Inspector.Inspect(config, 13, "fp32").KvBytesAtContext * 2;   // batch of 2
        Assert.Equal(expected, cache.Bytes);
    }

    [Theory]
    [InlineData(AttentionKind.Mla, null)]
    [InlineData(AttentionKind.Mla, 5)]
    [InlineData(AttentionKind.Gqa, null)]
    [InlineData(AttentionKind.Gqa, 5)]
    [InlineData(AttentionKind.Mqa, 5)]
    public void Several_new_tokens_at_once_against_the_cache_match_full_forward(AttentionKind kind, int? window)
    {
        // MLA decodes with absorbed up-projections, and GQA/MQA with the heads of a group stacked as query rows,
        // whenever the cache holds earlier tokens: also for a block of new tokens (speculative or chunked
        // prefill), which needs the causal mask inside the block, repeated for every head.
        manual_seed(12);
        var config = TinyModels.Base(kind);
        if (window is int w) config = TinyModels.Windowed(config, w);
        using var model = new Decoder(config);
        model.eval();
        using var tokens = TinyModels.RandomTokens(2, 15, config.VocabSize, seed: 4);
        using var noGrad = no_grad();
        using var full = model.Forward(tokens).Logits;
        using var cache = model.NewCache();
        var pieces = new[] { (0, 4), (4, 3), (7, 1), (8, 7) }
            .Select(p => model.Forward(tokens.narrow(1, p.Item1, p.Item2), cache).Logits).ToList();
        using var incremental = cat(pieces, 1);
        var diff = (incremental - full).abs().max().item<float>();
        Assert.True(diff < 1e-4, $"{kind} window={window}: max difference {diff}");
    }

    [Fact]
    public void Mla_absorbed_decoding_equals_rebuilding_keys_and_values_from_the_latent()
    {
        manual_seed(14);
        var config = TinyModels.Base(AttentionKind.Mla);
        using var model = new Decoder(config);
        model.eval();
        using var tokens = TinyModels.RandomTokens(2, 10, config.VocabSize, seed: 7);
        using var noGrad = no_grad();
        Tensor Decode(bool absorb)
        {
            foreach (var layer in model.Layers)
                ((Ablations.Model.Attention.MultiHeadLatentAttention)layer.AttentionModule).AbsorbWhenDecoding = absorb;
            using var cache = model.NewCache();
            model.Forward(tokens.narrow(1, 0, 5), cache).Logits.Dispose();
            return cat(Enumerable.Range(5, 5).Select(i => model.Forward(tokens.narrow(1, i, 1), cache).Logits).ToList(), 1);
        }
        using var absorbed = Decode(true);
        using var rebuilt = Decode(false);
        Assert.True((absorbed - rebuilt).abs().max().item<float>() < 1e-5);
    }

    [Theory]
    [InlineData(AttentionKind.Mla)]
    [InlineData(AttentionKind.Gqa)]
    public void Decoding_reports_an_attention_logit_no_larger_than_the_full_forward(AttentionKind kind)
    {
        manual_seed(13);
        var config = TinyModels.Base(kind);
        using var model = new Decoder(config);
        model.eval();
        using var tokens = TinyModels.RandomTokens(1, 9, config.VocabSize, seed: 6);
        using var noGrad = no_grad();
        var full = model.Forward(tokens, recordAttentionLogits: true);
        full.Logits.Dispose();
        using var cache = model.NewCache();
        model.Forward(tokens.narrow(1, 0, 8), cache).Logits.Dispose();
        var step = model.Forward(tokens.narrow(1, 8, 1), cache, recordAttentionLogits: true);
        step.Logits.Dispose();
        // The last token's logits are a subset of the full forward's.
        Assert.True(double.IsFinite(step.MaxAttentionLogit));
        Assert.True(step.MaxAttentionLogit <= full.MaxAttentionLogit + 1e-4);
    }

    [Fact]
    public void Windowed_layer_holds_at_most_window_positions()
    {
        var config = TinyModels.Windowed(TinyModels.Base(), 3);
        using var model = new Decoder(config);
        using var cache = model.NewCache();
        using var noGrad = no_grad();
        using var tokens = TinyModels.RandomTokens(1, 10, config.VocabSize, seed: 1);
        model.Forward(tokens, cache).Logits.Dispose();
        Assert.Equal(new long[] { 3, 10, 3 }, cache.Layers.Select(l => l.Length));
        Assert.Equal(new long[] { 7, 0, 7 }, cache.Layers.Select(l => l.Start));
    }

    [Fact]
    public void Mla_caches_the_latent_and_rope_key_not_keys_and_values()
    {
        var config = TinyModels.Base(AttentionKind.Mla);      // kv_lora_rank 10 + qk_rope_head_dim 4 = 14 per token
        using var model = new Decoder(config);
        using var cache = model.NewCache();
        using var noGrad = no_grad();
        using var tokens = TinyModels.RandomTokens(1, 6, config.VocabSize, seed: 2);
        model.Forward(tokens, cache).Logits.Dispose();
        Assert.Equal(3L * 6 * 14 * sizeof(float), cache.Bytes);
        // Up-projected keys and values would need 2 * 4 heads * ... far more: (6+4 + 5) * 4 = 60 per token.
        Assert.True(cache.Bytes < 3L * 6 * 60 * sizeof(float));
    }
}
