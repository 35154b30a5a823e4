namespace Ablations.Reporting;

/// <summary>
/// A claim's verdict: its outcome, whether it needed no statistical test (exact from the configuration, not run,
/// out of reach, too few runs), and the sentence the report prints, in one value made in one place (ClaimCheck).
/// </summary>
public sealed record Verdict(VerdictOutcome Outcome, string Text, bool Untested = false)
{
    /// <summary>A decided disagreement with the published result: what the report shows the sweep behind.</summary>
    public bool Disagrees => Outcome == VerdictOutcome.Disagrees;

    public override string ToString() => Text;
}
