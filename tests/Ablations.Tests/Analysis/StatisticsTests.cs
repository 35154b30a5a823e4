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

    // Student's sleep data (R's `sleep`): extra hours of sleep under two drugs, the same ten patients.
    static readonly double[] Drug1 = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
    static readonly double[] Drug2 = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };

    [Fact]
    public void Paired_test_matches_the_textbook_example()
    {
        // R: t.test(extra ~ group, data = sleep, paired = TRUE) -> t = -4.0621, df = 9, p-value = 0.002833,
        // mean difference -1.58
        var p = Statistics.Paired(Drug1, Drug2)!;
        Assert.Equal(-1.58, p.Difference, 10);
        Assert.Equal(-4.0621, p.T, 4);
        Assert.Equal(9, p.DegreesOfFreedom);
        Assert.Equal(0.002833, p.PValue, 6);
        Assert.Equal(1.229995 / Math.Sqrt(10), p.StdError, 6);
        // Unpaired, the same data cannot tell (R: Welch t = -1.8608, p-value = 0.07939): pairing removes the patients' spread.
        Assert.Equal(0.07939, Statistics.Welch(Drug1, Drug2)!.PValue, 5);
    }

    [Fact]
    public void Holm_adjustment_matches_the_textbook_example()
    {
        // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") -> 0.03 0.06 0.06 0.02
        Assert.Equal(new[] { 0.03, 0.06, 0.06, 0.02 }, Statistics.Holm(new[] { 0.01, 0.04, 0.03, 0.005 }).Select(p => Math.Round(p, 12)));
        // R: p.adjust(c(0.5, 0.001, 0.2), "holm") -> 0.500 0.003 0.400 (capped and made monotone)
        Assert.Equal(new[] { 0.5, 0.003, 0.4 }, Statistics.Holm(new[] { 0.5, 0.001, 0.2 }).Select(p => Math.Round(p, 12)));
        Assert.Empty(Statistics.Holm(Array.Empty<double>()));
    }

    [Fact]
    public void Equivalence_test_is_the_90_percent_interval_inside_the_margin()
    {
        // The sleep data's paired difference: -1.58 with standard error 0.3889587 on 9 degrees of freedom.
        // t(0.95, 9) = 1.833113, so the 90% interval is -1.58 +- 0.7130053 = [-2.2930053, -0.8669947].
        var p = Statistics.Paired(Drug1, Drug2)!;
        var atBound = Statistics.Tost(p.Difference, p.StdError, p.DegreesOfFreedom, 2.2930053);
        Assert.Equal(0.05, atBound.PValue, 5);                       // the margin at the interval's edge: exactly 5%
        Assert.Equal(-2.2930053, atBound.Ci90Low, 5);
        Assert.Equal(-0.8669947, atBound.Ci90High, 5);
        Assert.True(Statistics.Tost(p.Difference, p.StdError, p.DegreesOfFreedom, 2.5).PValue < 0.05);   // inside: equivalent
        Assert.True(Statistics.Tost(p.Difference, p.StdError, p.DegreesOfFreedom, 2.0).PValue > 0.05);   // outside: cannot say
        // A difference of exactly zero with a margin of one standard error on many degrees of freedom: p = 1 - Phi(1) = 0.1586553.
        Assert.Equal(0.1586553, Statistics.Tost(0, 1, 1e7, 1).PValue, 5);
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

    [Fact]
    public void Seeds_shared_by_both_sides_are_compared_paired_and_others_by_welch()
    {
        var a = new Dictionary<int, double> { [0] = 1.0, [1] = 1.2, [2] = 0.9 };
        var b = new Dictionary<int, double> { [0] = 1.1, [1] = 1.35, [2] = 0.95 };
        var paired = SeedComparison.Of(a, b)!;
        Assert.Equal("paired", paired.Test);
        Assert.Equal(Statistics.Paired(new[] { 1.0, 1.2, 0.9 }, new[] { 1.1, 1.35, 0.95 })!.PValue, paired.PValue);
        var other = new Dictionary<int, double> { [3] = 1.1, [4] = 1.35, [5] = 0.95 };
        var welch = SeedComparison.Of(a, other)!;
        Assert.Equal("Welch", welch.Test);
        Assert.Equal(Statistics.Welch(a.Values.ToList(), other.Values.ToList())!.PValue, welch.PValue);
        Assert.Null(SeedComparison.Of(new Dictionary<int, double> { [0] = 1 }, new Dictionary<int, double> { [0] = 2 }));
    }
}
