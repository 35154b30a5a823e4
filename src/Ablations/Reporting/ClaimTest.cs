using Ablations.Experiments;

namespace Ablations.Reporting;

/// <summary>
/// The evidence for one claim before the correction over all claims: either an exact verdict (from the
/// configuration, or nothing to test), or the measured difference A - B with its test and, for "similar" claims,
/// the equivalence test. <see cref="PValue"/> is the p-value the claim's verdict rests on and enters the Holm
/// correction: the two-sided difference test for lower/higher, the two one-sided tests for similar. A similar claim
/// also tests a difference beyond its margin (<see cref="BeyondMarginPValue"/>), its verdict "disagrees", which enters
/// the correction as a hypothesis of its own.
/// </summary>
public sealed record ClaimTest
{
    public required ClaimEntry Claim { get; init; }
    public required string Experiment { get; init; }
    /// <summary>A verdict that needs no test (exact from the configuration, not run, out of reach); null otherwise.</summary>
    public Verdict? Exact { get; init; }
    public double Difference { get; init; }
    public double Ci95Low { get; init; }
    public double Ci95High { get; init; }
    /// <summary>"paired" (the variants share seeds) or "Welch".</summary>
    public string Test { get; init; } = "";
    public double DifferencePValue { get; init; }
    public Analysis.EquivalenceTest? Equivalence { get; init; }
    public double? PValue { get; init; }
    /// <summary>Similar claims: the test of |A - B| beyond the margin; null otherwise.</summary>
    public double? BeyondMarginPValue { get; init; }
    /// <summary>What the counts were: seeds per side, diverged runs scored at the initial loss.</summary>
    public string Counts { get; init; } = "";
    public string MetricName { get; init; } = "";
    /// <summary>Where the claim was judged, for the sentence: " at lr=0.003", or each variant's tuned best.</summary>
    public string Where { get; init; } = "";
}
