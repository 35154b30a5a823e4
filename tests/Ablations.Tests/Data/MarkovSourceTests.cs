using Ablations.Config;
using Ablations.Data;

namespace Ablations.Tests.Data;

/// <summary>The Markov source's table is a distribution in every row, at any concentration validation allows.</summary>
public class MarkovSourceTests
{
    [Theory]
    [InlineData(1e-6)]
    [InlineData(1e-5)]   // before the log-space draw: NaN rows for 89% of the contexts, and a NaN entropy rate
    [InlineData(1e-3)]
    [InlineData(1e6)]
    public void Every_row_is_a_distribution_and_the_entropy_rate_is_finite(double concentration)
    {
        var source = new MarkovSource(new MarkovConfig { Vocab = 16, Order = 2, Concentration = concentration });
        Assert.InRange(source.EntropyRate, 0, Math.Log(16) + 1e-9);
        if (concentration <= 1e-5) Assert.InRange(source.EntropyRate, 0, 1e-6);   // one-hot rows: nearly deterministic
        var tokens = source.Sample(20_000, 7);
        Assert.All(tokens, t => Assert.InRange(t, 0, 15));
    }

    [Theory]   // the values the source gave before the log-space draw was added, printed from that code
    [InlineData(16, 2, 0.3, "1.825049168828897", 7014)]
    [InlineData(8, 1, 0.3, "1.3456483917849336", 2946)]
    [InlineData(4, 3, 1.0, "1.0513961348955847", 1509)]
    [InlineData(16, 2, 0.01, "0.2553628040485178", 8258)]
    public void Concentrations_that_never_underflowed_give_the_same_chain_to_the_bit(int vocab, int order,
        double concentration, string entropyRate, int sumOfSample)
    {
        var source = new MarkovSource(new MarkovConfig { Vocab = vocab, Order = order, Concentration = concentration });
        Assert.Equal(entropyRate, source.EntropyRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(sumOfSample, source.Sample(1000, 7).Sum());
    }

    [Fact]
    public void Generating_a_large_source_stops_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            DataFactory.Prepare(new DataConfig { Source = DataSource.Markov }, 16, ".", cancel: cancel.Token));
    }
}
