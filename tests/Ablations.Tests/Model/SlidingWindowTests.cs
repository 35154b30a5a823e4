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
