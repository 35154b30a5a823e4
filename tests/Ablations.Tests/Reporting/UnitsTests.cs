using Ablations.Common;

namespace Ablations.Tests.Reporting;

public class UnitsTests
{
    [Theory]
    [InlineData(1, "1 claim")]
    [InlineData(0, "0 claims")]
    [InlineData(21, "21 claims")]
    public void Counted_puts_the_noun_in_the_right_number(long n, string expected) => Assert.Equal(expected, Units.Counted(n, "claim"));

    [Fact]
    public void Counted_takes_an_irregular_plural()
    {
        Assert.Equal("1 hypothesis", Units.Counted(1, "hypothesis", "hypotheses"));
        Assert.Equal("28 hypotheses", Units.Counted(28, "hypothesis", "hypotheses"));
    }

    [Fact]
    public void Range_reads_as_one_value_when_its_ends_agree()
    {
        Assert.Equal("614.4K", Units.Range("614.4K", "614.4K"));
        Assert.Equal("0.8 to 5.2", Units.Range("0.8", "5.2"));
    }

    [Fact]
    public void Counts_bytes_and_flops_read_in_their_units()
    {
        Assert.Equal("671.03B", Units.Count(671.03e9));
        Assert.Equal("614.4K", Units.Count(614_400));
        Assert.Equal("1.50 GiB", Units.Bytes(1.5 * (1L << 30)));
        Assert.Equal("74.10 GFLOP", Units.Flops(74.1e9));
    }
}
