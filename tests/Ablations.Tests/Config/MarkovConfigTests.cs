using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Config;

/// <summary>A Markov source's settings are bounded where the table and the sampler stop being representable.</summary>
public class MarkovConfigTests
{
    static ConfigException Fails(params string[] set) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(
            "model:\n  vocab_size: 256\ndata:\n  source: markov\n", "run.yaml", set, requiredSection: "model"));

    [Theory]
    [InlineData(256, 4, "about 1.1E+12")]   // 256^4 contexts overflowed an int before any check
    [InlineData(64, 4, "about 1.07E+09")]
    [InlineData(257, 2, null)]              // the vocabulary's own bound speaks first
    public void A_transition_table_beyond_its_bound_is_refused_naming_the_product(int vocab, int order, string? got)
    {
        var e = Fails($"data.markov.vocab={vocab}", $"data.markov.order={order}");
        if (got == null)
        {
            Assert.Equal("data.markov.vocab", e.Key);
            return;
        }
        Assert.Equal("data.markov.order", e.Key);
        Assert.Contains($"the transition table's size (vocab {vocab} to the power order + 1 {order + 1}) " +
                        $"must be at most 16,777,216, got {got}", e.Message);
    }

    [Fact]
    public void The_largest_square_table_is_allowed()
    {
        Assert.Empty(new MarkovConfig { Vocab = 256, Order = 2 }.Validate());
        Assert.Equal(65_536, new MarkovConfig { Vocab = 256, Order = 2 }.Contexts);
    }

    [Theory]
    [InlineData("1e-7")]
    [InlineData("0")]
    [InlineData("1e7")]
    [InlineData("1e-320")]
    public void A_concentration_outside_what_changes_the_rows_is_refused(string value)
    {
        var e = Fails($"data.markov.concentration={value}");
        Assert.Equal("data.markov.concentration", e.Key);
        Assert.Contains("must be between 1E-06 and 1000000", e.Message);
    }
}
