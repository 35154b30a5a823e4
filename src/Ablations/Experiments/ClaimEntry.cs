namespace Ablations.Experiments;

/// <summary>
/// A claim of the article or a paper that an experiment tests: variant A's metric compared with variant B's
/// (optionally at one sweep point). The report turns it into a verdict from the seeds' numbers.
/// </summary>
public sealed record ClaimEntry
{
    public string Text { get; init; } = "";
    public string A { get; init; } = "";
    public string B { get; init; } = "";
    /// <summary>What the claim says A's value is, relative to B's.</summary>
    public ClaimExpectation Expect { get; init; } = ClaimExpectation.Lower;
    public ClaimMetric Metric { get; init; } = ClaimMetric.ValLoss;
    /// <summary>The sweep point it is judged at ("" without a sweep), e.g. lr=3.0e-2.</summary>
    public string At { get; init; } = "";
    /// <summary>expect: similar only: the difference (in the metric's units, nats for val_loss) within which the two count as equivalent.</summary>
    public double? Margin { get; init; }
    /// <summary>Training tokens per run the claim needs to show (papers' scale); with fewer the verdict is "out of reach at this scale".</summary>
    public long? Tokens { get; init; }
}
