using Ablations.Analysis;

namespace Ablations.Tests.Analysis;

public class StatisticsTests
{
    [Fact]
    public void Confidence_interval_uses_student_t_with_n_minus_one_degrees_of_freedom()
    {
        // mean 3, s = sqrt(2.5), t(0.975, 4) = 2.7764451 -> half width 2.7764451 * 1.5811388 / sqrt(5) = 1.9632432
        var s = Statistics.Summarize(new double[] { 1, 2, 3, 4, 5 });
        Assert.Equal(3, s.Mean, 12);
        Assert.Equal(Math.Sqrt(2.5), s.Std!.Value, 12);
        Assert.Equal(3 - 1.9632432, s.Ci95Low!.Value, 6);
        Assert.Equal(3 + 1.9632432, s.Ci95High!.Value, 6);
    }

    [Fact]
    public void Single_value_has_no_spread_or_interval()
    {
        var s = Statistics.Summarize(new[] { 2.5 });
        Assert.Null(s.Std);
        Assert.Null(s.Ci95Low);
    }

    [Fact]
    public void Welch_test_matches_the_textbook_example()
    {
        // R: t.test(c(1,2,3,4,5), c(2,4,6,8,10)) -> t = -1.8974, df = 5.8824, p-value = 0.1075
        var w = Statistics.Welch(new double[] { 1, 2, 3, 4, 5 }, new double[] { 2, 4, 6, 8, 10 })!;
        Assert.Equal(-3, w.Difference, 12);
        Assert.Equal(-1.8974, w.T, 4);
        Assert.Equal(5.8824, w.DegreesOfFreedom, 4);
        Assert.Equal(0.1075, w.PValue, 4);
    }

    [Fact]
    public void Welch_needs_two_values_on_each_side()
    {
        Assert.Null(Statistics.Welch(new double[] { 1 }, new double[] { 2, 3 }));
    }

    [Fact]
    public void Spikes_are_counted_against_the_recent_window()
    {
        var flat = Enumerable.Repeat(2.0, 40).Select((v, i) => v + (i % 2) * 0.01).ToList();
        Assert.Equal(0, Stability.CountSpikes(flat));
        flat[30] = 3.0;
        flat[35] = double.NaN;
        Assert.Equal(2, Stability.CountSpikes(flat));
    }
}
