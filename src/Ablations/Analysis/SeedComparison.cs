namespace Ablations.Analysis;

/// <summary>
/// The one rule for comparing two variants' per-seed values: paired over seeds when both ran exactly the same seeds
/// (each difference then removes the seed's own luck: the same initial weights and batches), Welch's test otherwise.
/// The table's p-values and the claims' tests both come from here.
/// </summary>
public sealed record SeedComparison(double Difference, double StdError, double DegreesOfFreedom, double PValue, string Test)
{
    /// <summary>A minus B, or null when neither test is defined (fewer than two values, or no spread).</summary>
    public static SeedComparison? Of(IReadOnlyDictionary<int, double> a, IReadOnlyDictionary<int, double> b)
    {
        var seeds = a.Keys.Order().ToList();
        if (seeds.SequenceEqual(b.Keys.Order()) &&
            Statistics.Paired(seeds.Select(s => a[s]).ToList(), seeds.Select(s => b[s]).ToList()) is { } paired)
            return new(paired.Difference, paired.StdError, paired.DegreesOfFreedom, paired.PValue, "paired");
        if (Statistics.Welch(a.Values.ToList(), b.Values.ToList()) is { } welch)
            return new(welch.Difference, welch.StdError, welch.DegreesOfFreedom, welch.PValue, "Welch");
        return null;
    }
}
