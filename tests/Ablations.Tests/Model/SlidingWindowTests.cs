using Ablations.Model.Attention;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

public class SlidingWindowTests
{
    [Fact]
    public void Window_of_three_sees_itself_and_two_before()
    {
        using var mask = SlidingWindow.Mask(0, 5, 0, 5, 3, CPU, out var causal)!;
        Assert.False(causal);
        bool[,] golden =
        {
            { true,  false, false, false, false },
            { true,  true,  false, false, false },
            { true,  true,  true,  false, false },
            { false, true,  true,  true,  false },
            { false, false, true,  true,  true  },
        };
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
                Assert.Equal(golden[i, j], mask[i, j].item<bool>());
    }

    [Fact]
    public void Global_attention_without_cache_asks_for_plain_causal_attention()
    {
        Assert.Null(SlidingWindow.Mask(0, 6, 0, 6, null, CPU, out var causal));
        Assert.True(causal);
    }

    [Fact]
    public void One_new_token_over_a_cache_needs_no_mask_when_global()
    {
        Assert.Null(SlidingWindow.Mask(9, 1, 0, 10, null, CPU, out var causal));
        Assert.False(causal);
    }

    [Fact]
    public void Queries_after_a_trimmed_cache_use_absolute_positions()
    {
        // cache holds positions 4..6, two new queries at 7 and 8, window 3
        using var mask = SlidingWindow.Mask(7, 2, 4, 5, 3, CPU, out _)!;
        bool[,] golden =
        {
            { false, true, true, true, false },   // query 7 sees 5, 6, 7
            { false, false, true, true, true },   // query 8 sees 6, 7, 8
        };
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 5; j++)
                Assert.Equal(golden[i, j], mask[i, j].item<bool>());
    }
}

public class BandAttentionTests
{
    [Theory]
    [InlineData(50, 8, 4)]
    [InlineData(64, 16, 8)]
    [InlineData(37, 5, 16)]
    public void Band_attention_equals_attention_with_the_window_mask(int t, int window, int chunk)
    {
        var g = new Generator(3);
        using var q = randn(new long[] { 2, 3, t, 8 }, generator: g);
        using var k = randn(new long[] { 2, 3, t, 8 }, generator: g);
        using var v = randn(new long[] { 2, 3, t, 6 }, generator: g);
        using var mask = SlidingWindow.Mask(0, t, 0, t, window, CPU, out _)!;
        using var expected = nn.functional.scaled_dot_product_attention(q, k, v, mask);
        using var band = SlidingWindow.BandAttention(q, k, v, window, chunk);
        Assert.Equal(expected.shape, band.shape);
        Assert.True((expected - band).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Band_attention_gradients_equal_those_of_masked_attention()
    {
        var g = new Generator(8);
        Tensor Leaf(long dim) => randn(new long[] { 1, 2, 40, dim }, generator: g).requires_grad_(true);
        var (q, k, v) = (Leaf(8), Leaf(8), Leaf(6));
        using var mask = SlidingWindow.Mask(0, 40, 0, 40, 6, CPU, out _)!;
        using var weights = linspace(-1, 1, 40 * 6).view(1, 1, 40, 6);
        var expected = AttentionGradients.Of(q, k, v, weights, () => nn.functional.scaled_dot_product_attention(q, k, v, mask));
        var band = AttentionGradients.Of(q, k, v, weights, () => SlidingWindow.BandAttention(q, k, v, 6, 4));
        AttentionGradients.AssertClose(expected, band, 1e-5f);
    }

    [Fact]
    public void Fused_attention_with_values_narrower_than_keys_equals_the_unfused_formula()
    {
        var g = new Generator(9);
        using var q = randn(new long[] { 2, 4, 12, 12 }, generator: g);
        using var k = randn(new long[] { 2, 4, 12, 12 }, generator: g);
        using var v = randn(new long[] { 2, 4, 12, 8 }, generator: g);
        using var causal = ones(12, 12, ScalarType.Bool).tril();
        using var scores = q.matmul(k.transpose(-1, -2)).div(Math.Sqrt(12)).masked_fill(causal.logical_not(), double.NegativeInfinity);
        using var expected = scores.softmax(-1).matmul(v);
        using var fused = new Ablations.Model.Attention.FusedAttentionKernel().Mix(q, k, v, null, causal: true);
        Assert.Equal(new long[] { 2, 4, 12, 8 }, fused.shape);
        Assert.True((expected - fused).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Windowed_model_uses_the_band_for_long_sequences_and_matches_incremental_decoding()
    {
        var config = Ablations.Tests.TinyModels.Windowed(Ablations.Tests.TinyModels.Base(), 4);   // 13 tokens > 2 x window
        using var model = new Ablations.Model.Decoder(config, seed: 4);
        model.eval();
        using var noGrad = no_grad();
        using var tokens = Ablations.Tests.TinyModels.RandomTokens(1, 13, config.VocabSize, 5);
        using var full = model.Forward(tokens).Logits;
        using var cache = model.NewCache();
        var steps = Enumerable.Range(0, 13).Select(i => model.Forward(tokens.narrow(1, i, 1), cache).Logits).ToList();
        using var incremental = cat(steps, 1);
        Assert.True((full - incremental).abs().max().item<float>() < 1e-4);
    }
}
