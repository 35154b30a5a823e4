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
    [InlineData(1, 2, 300, 32, 32, 64)]     // 32-wide heads (two 512-bit registers a row), several tasks
    [InlineData(1, 3, 133, 48, 16, 20)]     // a 32- and a 16-column pass; more slices than threads, in batches
    [InlineData(3, 1, 70, 16, 24, 70)]      // window as long as the sequence; 24-wide values take the AVX2 form
    [InlineData(1, 2, 515, 32, 32, 256)]    // the bench's window over an odd length
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

    [Theory]
    [InlineData(8, 2, 40, 16, 6)]
    [InlineData(4, 4, 77, 32, 19)]
    public void Grouped_query_heads_get_gradients_of_their_shared_keys_and_values(int heads, int kvHeads, int t, int d, int window)
    {
        // As GQA layers train: each key/value head repeated for the query heads of its group before the kernel.
        var g = new Generator((ulong)(heads * 7 + t));
        var q = randn(new long[] { 2, heads, t, d }, generator: g).requires_grad_(true);
        var k = randn(new long[] { 2, kvHeads, t, d }, generator: g).requires_grad_(true);
        var v = randn(new long[] { 2, kvHeads, t, d }, generator: g).requires_grad_(true);
        using var weights = randn(new long[] { 2, heads, t, d }, generator: g);
        using var mask = SlidingWindow.Mask(0, t, 0, t, window, CPU, out _)!;
        Tensor Repeat(Tensor x) => x.repeat_interleave(heads / kvHeads, 1);

        var expected = AttentionGradients.Of(q, k, v, weights, () => nn.functional.scaled_dot_product_attention(q, Repeat(k), Repeat(v), mask));
        var kernel = AttentionGradients.Of(q, k, v, weights, () => BandAttentionFunction.Apply(q, Repeat(k), Repeat(v), window));
        AttentionGradients.AssertClose(expected, kernel, 3e-5f);
    }

    [Fact]
    public void A_second_backward_through_recomputed_probabilities_gives_the_same_gradients()
    {
        var g = new Generator(12);
        Tensor Leaf() => randn(new long[] { 1, 2, 90, 16 }, generator: g).requires_grad_(true);
        var (q, k, v) = (Leaf(), Leaf(), Leaf());
        using var weights = randn(new long[] { 1, 2, 90, 16 }, generator: g);
        using var y = BandAttentionFunction.Apply(q, k, v, 10);
        (y * weights).sum().backward(retain_graph: true);
        using var first = q.grad!.clone();
        q.grad!.zero_();
        (y * weights).sum().backward();
        Assert.Equal(0f, (first - q.grad!).abs().max().item<float>());
    }

    [Theory]
    [InlineData(8, 5)]
    [InlineData(16, 16)]
    [InlineData(24, 17)]
    [InlineData(32, 33)]
    [InlineData(48, 40)]
    public unsafe void Both_forms_of_the_products_equal_matrix_products(int width, int n)
    {
        // Scores: rows of x against the columns of kt; Mix: rows of weights times x. Both with 3 of 4 rows.
        var g = new Generator((ulong)(width + n));
        using var x = randn(new long[] { 4, width }, generator: g);
        int ldk = n + BandProducts.Overrun;
        using var kt = cat(new[] { randn(new long[] { width, n }, generator: g), zeros(width, BandProducts.Overrun) }, 1).contiguous();
        using var expectedScores = x.narrow(0, 0, 3).matmul(kt.narrow(1, 0, n));
        using var mixWeights = randn(new long[] { 3, n }, generator: g);
        using var rows = randn(new long[] { n, width }, generator: g);
        using var expectedMix = mixWeights.matmul(rows) * 0.5;
        var (xs, kts, ws, rs) = (x.data<float>().ToArray(), kt.data<float>().ToArray(), mixWeights.data<float>().ToArray(), rows.data<float>().ToArray());
        foreach (var wide in new[] { false, true })
        {
            if (wide && !BandProducts.Wide) continue;
            int ld = n + 32;
            var scores = new float[4 * ld];
            var mixed = new float[3 * width];
            fixed (float* xp = xs, ktp = kts, sp = scores, wp = ws, rp = rs, mp = mixed)
            {
                BandProducts.Scores(xp, width, 3, ktp, ldk, n, sp, ld, wide);
                BandProducts.Mix(wp, 1, 3, rp, width, n, mp, width, 0.5f, n, wide);
            }
            using var actualScores = tensor(scores, new long[] { 4, ld }).narrow(0, 0, 3).narrow(1, 0, n);
            using var actualMix = tensor(mixed, new long[] { 3, width });
            Assert.True((expectedScores - actualScores).abs().max().item<float>() < 1e-4, $"scores, wide {wide}");
            Assert.True((expectedMix - actualMix).abs().max().item<float>() < 1e-4, $"mix, wide {wide}");
        }
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
    public void Bfloat16_inputs_are_widened_for_the_kernel_and_get_bfloat16_gradients()
    {
        var g = new Generator(21);
        Tensor Leaf() => randn(new long[] { 1, 2, 70, 16 }, generator: g).to_type(ScalarType.BFloat16).requires_grad_(true);
        var (q, k, v) = (Leaf(), Leaf(), Leaf());
        Tensor Wide(Tensor x) => x.detach().to_type(ScalarType.Float32).requires_grad_(true);
        var (qf, kf, vf) = (Wide(q), Wide(k), Wide(v));
        using var weights = randn(new long[] { 1, 2, 70, 16 }, generator: g);
        var kernel = new CpuBandAttentionKernel(12, new FusedAttentionKernel(12));
        var expected = AttentionGradients.Of(qf, kf, vf, weights, () => BandAttentionFunction.Apply(qf, kf, vf, 12));
        var narrow = AttentionGradients.Of(q, k, v, weights, () => kernel.Band(q, k, v));
        Assert.All(narrow, x => Assert.Equal(ScalarType.BFloat16, x.dtype));
        AttentionGradients.AssertClose(expected, narrow.Select(x => x.to_type(ScalarType.Float32)).ToArray(), 0.05f);
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
