using Ablations.Model;
using Ablations.Model.Attention;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

/// <summary>The hand-written CPU band kernel against libtorch's attention with the window mask.</summary>
public class BandKernelTests
{
    [Theory]
    [InlineData(1, 1, 50, 16, 16, 7)]       // rows not a multiple of the 4-row blocks
    [InlineData(2, 3, 64, 16, 8, 16)]       // values narrower than keys
    [InlineData(1, 2, 300, 8, 24, 40)]      // several 128-row tasks, value width not a multiple of 16
    [InlineData(1, 2, 9, 8, 8, 32)]         // window longer than the sequence
    [InlineData(2, 1, 37, 32, 32, 1)]       // each token sees only itself
    public void Kernel_matches_masked_attention_forward_and_backward(int b, int h, int t, int d, int dv, int window)
    {
        Assert.True(BandKernel.Supported, "these machines have AVX2 and FMA");
        var g = new Generator((ulong)(t * 31 + window));
        Tensor Leaf(long width) => randn(new long[] { b, h, t, width }, generator: g).requires_grad_(true);
        var (q, k, v) = (Leaf(d), Leaf(d), Leaf(dv));
        using var weights = randn(new long[] { b, h, t, dv }, generator: g);
        using var mask = SlidingWindow.Mask(0, t, 0, t, window, CPU, out _)!;

        var expected = AttentionGradients.Of(q, k, v, weights, () => nn.functional.scaled_dot_product_attention(q, k, v, mask));
        var kernel = AttentionGradients.Of(q, k, v, weights, () => BandAttentionFunction.Apply(q, k, v, window));
        AttentionGradients.AssertClose(expected, kernel, 2e-5f);
    }

    [Fact]
    public void Kernel_reads_strided_views_as_they_are_laid_out()
    {
        // Queries, keys and values as the attention layers make them: [b, t, h, d] projections viewed as [b, h, t, d].
        var g = new Generator(4);
        using var x = randn(new long[] { 2, 40, 3, 8 }, generator: g);
        using var q = x.transpose(1, 2);
        using var k = (x * 0.5).transpose(1, 2);
        using var v = (x - 1).transpose(1, 2);
        using var mask = SlidingWindow.Mask(0, 40, 0, 40, 6, CPU, out _)!;
        using var expected = nn.functional.scaled_dot_product_attention(q, k, v, mask);
        using var kernel = BandAttentionFunction.Apply(q, k, v, 6);
        Assert.True((expected - kernel).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Kernel_declines_what_it_cannot_compute()
    {
        using var good = zeros(1, 1, 4, 8);
        using var odd = zeros(1, 1, 4, 12);
        using var doubles = zeros(new long[] { 1, 1, 4, 8 }, ScalarType.Float64);
        Assert.True(BandAttentionFunction.Accepts(good, good));
        Assert.False(BandAttentionFunction.Accepts(odd, good));
        Assert.False(BandAttentionFunction.Accepts(good, odd));
        Assert.False(BandAttentionFunction.Accepts(doubles, doubles));
    }
}

public class TorchThreadTeamTests
{
    [Fact]
    public void Every_item_runs_once_on_a_worker_below_the_thread_count()
    {
        var seen = new int[1000];
        var workers = new System.Collections.Concurrent.ConcurrentBag<int>();
        TorchThreadTeam.For(seen.Length, (item, worker) =>
        {
            Interlocked.Increment(ref seen[item]);
            workers.Add(worker);
        });
        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.All(workers, w => Assert.InRange(w, 0, TorchThreadTeam.Threads - 1));
    }

    [Fact]
    public void An_exception_in_the_body_reaches_the_caller()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            TorchThreadTeam.For(100, (item, _) => { if (item == 57) throw new InvalidOperationException("item 57"); }));
        Assert.Equal("item 57", error.Message);
    }

    [Fact]
    public void Linux_builds_of_libtorch_are_reached_through_their_OpenMP_team()
    {
        using var warm = ones(2, 2).matmul(ones(2, 2));   // libtorch (and its OpenMP runtime) loaded
        Assert.Equal(OperatingSystem.IsLinux(), TorchThreadTeam.OnOpenMpTeam);
    }
}
