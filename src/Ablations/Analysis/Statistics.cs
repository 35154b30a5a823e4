using MathNet.Numerics.Distributions;

namespace Ablations.Analysis;

/// <summary>Mean, spread and a 95% confidence interval of a sample (Student t, n-1 degrees of freedom).</summary>
public sealed record SampleSummary(int N, double Mean, double? Std, double? Ci95Low, double? Ci95High)
{
    public double? Ci95HalfWidth => Ci95High - Mean;
}

/// <summary>Welch's unequal-variance t-test of two samples.</summary>
public sealed record WelchTest(double Difference, double T, double DegreesOfFreedom, double PValue);

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
}
