using MathNet.Numerics.Distributions;

namespace Ablations.Analysis;

/// <summary>Mean, spread and a 95% confidence interval of a sample (Student t, n-1 degrees of freedom).</summary>
public sealed record SampleSummary(int N, double Mean, double? Std, double? Ci95Low, double? Ci95High)
{
    public double? Ci95HalfWidth => Ci95High - Mean;
}

/// <summary>Welch's unequal-variance t-test of two samples.</summary>
public sealed record WelchTest(double Difference, double T, double DegreesOfFreedom, double PValue)
{
    public double StdError => T == 0 ? 0 : Math.Abs(Difference / T);
}

/// <summary>
/// A paired t-test: runs of two variants that share a seed (the same initial weights and batch order) differ by
/// d_i; t = mean(d) / (sd(d) / sqrt(n)) with n - 1 degrees of freedom.
/// </summary>
public sealed record PairedTest(int N, double Difference, double StdError, double T, double DegreesOfFreedom, double PValue);

/// <summary>
/// Two one-sided tests (Schuirmann 1987) of |difference| &lt; margin: equivalent at level alpha when both
/// one-sided nulls (difference &lt;= -margin, difference &gt;= margin) are rejected, that is, when the
/// (1 - 2 alpha) interval of the difference lies inside (-margin, margin). The p-value is the larger of the two.
/// </summary>
public sealed record EquivalenceTest(double Margin, double PValue, double Ci90Low, double Ci90High);

public static class Statistics
{
    public static SampleSummary Summarize(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("no values");
        var mean = values.Average();
        if (values.Count < 2) return new SampleSummary(values.Count, mean, null, null, null);
        var std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        var half = StudentT.InvCDF(0, 1, values.Count - 1, 0.975) * std / Math.Sqrt(values.Count);
        return new SampleSummary(values.Count, mean, std, mean - half, mean + half);
    }

    /// <summary>Two-sided Welch test of mean(a) - mean(b); null when either side has fewer than two values or no spread.</summary>
    public static WelchTest? Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2) return null;
        var (ma, mb) = (a.Average(), b.Average());
        var va = a.Sum(x => (x - ma) * (x - ma)) / (a.Count - 1);
        var vb = b.Sum(x => (x - mb) * (x - mb)) / (b.Count - 1);
        var se2 = va / a.Count + vb / b.Count;
        if (se2 <= 0) return null;
        var t = (ma - mb) / Math.Sqrt(se2);
        var df = se2 * se2 / (Math.Pow(va / a.Count, 2) / (a.Count - 1) + Math.Pow(vb / b.Count, 2) / (b.Count - 1));
        var p = 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(t)));
        return new WelchTest(ma - mb, t, df, p);
    }

    /// <summary>Two-sided paired test of mean(a_i - b_i); null with fewer than two pairs or differences without spread.</summary>
    public static PairedTest? Paired(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples need the same count ({a.Count} and {b.Count})");
        if (a.Count < 2) return null;
        var d = a.Zip(b, (x, y) => x - y).ToList();
        var mean = d.Average();
        var sd = Math.Sqrt(d.Sum(x => (x - mean) * (x - mean)) / (d.Count - 1));
        if (sd <= 0) return null;
        var se = sd / Math.Sqrt(d.Count);
        var t = mean / se;
        var df = d.Count - 1.0;
        return new PairedTest(d.Count, mean, se, t, df, 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(t))));
    }

    /// <summary>Equivalence within +-margin of a difference with its standard error and degrees of freedom (TOST).</summary>
    public static EquivalenceTest Tost(double difference, double stdError, double degreesOfFreedom, double margin)
    {
        if (!(margin > 0)) throw new ArgumentException($"an equivalence margin must be positive, got {margin}");
        var lower = 1 - StudentT.CDF(0, 1, degreesOfFreedom, (difference + margin) / stdError);   // H0: difference <= -margin
        var upper = StudentT.CDF(0, 1, degreesOfFreedom, (difference - margin) / stdError);       // H0: difference >= margin
        var half = StudentT.InvCDF(0, 1, degreesOfFreedom, 0.95) * stdError;
        return new EquivalenceTest(margin, Math.Max(lower, upper), difference - half, difference + half);
    }

    /// <summary>
    /// A difference larger than the margin, |difference| &gt; margin (a minimum-effect test, the counterpart of
    /// <see cref="Tost"/>): two-sided, so p &lt; alpha exactly when the (1 - alpha) interval of the difference lies
    /// wholly beyond -margin or wholly beyond +margin.
    /// </summary>
    public static double BeyondMargin(double difference, double stdError, double degreesOfFreedom, double margin)
    {
        if (!(margin > 0)) throw new ArgumentException($"an equivalence margin must be positive, got {margin}");
        var t = (Math.Abs(difference) - margin) / stdError;
        return Math.Min(1, 2 * (1 - StudentT.CDF(0, 1, degreesOfFreedom, t)));
    }

    /// <summary>
    /// Holm-Bonferroni adjusted p-values (Holm 1979), in the input's order: sorted ascending, the i-th smallest (from
    /// 1) is multiplied by m - i + 1, made non-decreasing, and capped at 1. Rejecting where the adjusted value is
    /// below alpha controls the family-wise error rate at alpha over all m claims.
    /// </summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        var m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ToArray();
        var adjusted = new double[m];
        var running = 0.0;
        for (int rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * pValues[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }
}
