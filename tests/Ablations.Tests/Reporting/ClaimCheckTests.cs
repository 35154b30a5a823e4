using Ablations.Experiments;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Tests.Reporting;

/// <summary>Verdicts from hand-made run results: which test, the equivalence margin, the correction over claims, scoring divergence, out of reach.</summary>
public class ClaimCheckTests
{
    static RunResult Run(string variant, int seed, double? loss, bool diverged = false, long tokens = 100_000, double initial = 5.5) =>
        new(variant, "", new Dictionary<string, string>(), seed, $"/runs/{variant}/seed-{seed}", TinyRuns.Markov(),
            new RunSummary
            {
                Status = diverged ? RunStatus.Diverged : RunStatus.Completed, Steps = 10, Tokens = tokens, FinalValLoss = diverged ? null : loss,
                WallSeconds = 1, TokensPerSecond = 1, MaxGradNorm = 1, LossSpikes = 0, ParametersTotal = 1, ParametersActive = 1,
                KvCacheBytesPerToken = 1, Device = "cpu",
            },
            new[] { new MetricsRow { Step = 1, Tokens = 1000, TrainLoss = initial } });

    static ExperimentResults Results(params RunResult[] runs) => new()
    {
        Folder = "/results/exp",
        Runs = runs,
        Manifest = new ExperimentManifest
        {
            Name = "exp", File = "exp.yaml", Baseline = "b", Variants = new[] { "a", "b" }, SweepKeys = Array.Empty<string>(),
            Seeds = new[] { 0, 1, 2, 3 }, Runs = Array.Empty<ManifestRun>(),
        },
    };

    static ClaimEntry Claim(ClaimExpectation expect, double? margin = null, long? tokens = null) =>
        new() { Text = "t", A = "a", B = "b", Expect = expect, Margin = margin, Tokens = tokens };

    static string One(ExperimentResults results, ClaimEntry claim) => ClaimCheck.Verdicts(new[] { ClaimCheck.Evaluate(results, claim) })[0].Text;

    // A is lower than B by about 0.1 in every seed (paired t = -4.6, p = 0.019), while the seeds themselves differ by
    // far more: only pairing sees it.
    static readonly double[] SeedLevel = { 2.0, 2.6, 1.7, 2.3 };
    static readonly double[] Noise = { 0.03, -0.04, 0.05, -0.02 };
    static ExperimentResults Paired(int seedOffset = 0) =>
        Results(SeedLevel.Select((l, s) => Run("a", s + seedOffset, l - 0.10 + Noise[s])).Concat(SeedLevel.Select((l, s) => Run("b", s, l))).ToArray());

    [Fact]
    public void Shared_seeds_are_tested_paired_and_other_seeds_with_welch()
    {
        var paired = One(Paired(), Claim(ClaimExpectation.Lower));
        Assert.StartsWith("**Agrees**", paired);
        Assert.Contains("paired p", paired);
        // The same losses on other seeds: Welch's test cannot separate them from the seed spread.
        var welch = One(Paired(seedOffset: 10), Claim(ClaimExpectation.Lower));
        Assert.StartsWith("**Cannot tell at this scale**", welch);
        Assert.Contains("Welch p", welch);
    }

    [Fact]
    public void Similar_claims_are_equivalent_within_their_margin_or_not()
    {
        var close = Results(SeedLevel.Select((l, s) => Run("a", s, l + 0.001 * (s % 2 == 0 ? 1 : -1))).Concat(SeedLevel.Select((l, s) => Run("b", s, l))).ToArray());
        Assert.StartsWith("**Equivalent within ±0.02**", One(close, Claim(ClaimExpectation.Similar, margin: 0.02)));
        // 0.295 apart, 95% interval [-0.361, -0.229]: beyond a margin of 0.02 (p < 0.001, and after the correction over
        // its two hypotheses), undecided against one of 0.3.
        var far = Results(SeedLevel.Select((l, s) => Run("a", s, l - 0.30 + Noise[s])).Concat(SeedLevel.Select((l, s) => Run("b", s, l))).ToArray());
        var disagrees = One(far, Claim(ClaimExpectation.Similar, margin: 0.02));
        Assert.StartsWith("**Disagrees**", disagrees);
        Assert.Contains("beyond ±0.02 p < 0.001", disagrees);
        Assert.Contains("over 2 hypotheses of 1 claim,", disagrees);   // the family in the right number
        Assert.StartsWith("**Cannot tell at this scale**", One(far, Claim(ClaimExpectation.Similar, margin: 0.3)));
    }

    [Fact]
    public void A_difference_beyond_the_margin_is_held_to_the_family_wise_level_too()
    {
        // 0.095 apart, 95% interval [-0.161, -0.029]: wholly beyond a margin of 0.02, so the uncorrected test of a
        // difference beyond it rejects (two-sided p = 0.036); corrected with the claim's equivalence hypothesis it
        // does not, and the verdict cannot tell.
        var test = ClaimCheck.Evaluate(Paired(), Claim(ClaimExpectation.Similar, margin: 0.02));
        Assert.True(test.Ci95High < -0.02);
        Assert.InRange(test.BeyondMarginPValue!.Value, 0.025, 0.05);
        Assert.StartsWith("**Cannot tell at this scale**", ClaimCheck.Verdicts(new[] { test })[0].Text);
        // the minimum-effect test matches the interval: p = 0.05 exactly where the 95% interval touches the margin
        Assert.Equal(0.05, Ablations.Analysis.Statistics.BeyondMargin(0.02 + MathNet.Numerics.Distributions.StudentT.InvCDF(0, 1, 3, 0.975) * 0.01, 0.01, 3, 0.02), 10);
    }

    [Fact]
    public void A_measurement_against_the_claim_is_flagged_for_evidence_even_when_the_test_cannot_tell()
    {
        // A is lower than B by about 0.1
        Assert.False(ClaimCheck.PointsAgainst(ClaimCheck.Evaluate(Paired(), Claim(ClaimExpectation.Lower))));
        Assert.True(ClaimCheck.PointsAgainst(ClaimCheck.Evaluate(Paired(), Claim(ClaimExpectation.Higher))));
        Assert.True(ClaimCheck.PointsAgainst(ClaimCheck.Evaluate(Paired(seedOffset: 10), Claim(ClaimExpectation.Higher))));   // Welch: cannot tell, still against
        Assert.True(ClaimCheck.PointsAgainst(ClaimCheck.Evaluate(Paired(), Claim(ClaimExpectation.Similar, margin: 0.02))));
        Assert.False(ClaimCheck.PointsAgainst(ClaimCheck.Evaluate(Paired(), Claim(ClaimExpectation.Similar, margin: 0.2))));
    }

    [Fact]
    public void P_values_are_corrected_over_all_claims_of_the_report()
    {
        var claim = Claim(ClaimExpectation.Lower);
        var test = ClaimCheck.Evaluate(Paired(), claim);
        Assert.True(test.PValue < 0.05);
        var alone = ClaimCheck.Verdicts(new[] { test })[0].Text;
        Assert.Contains("Holm-adjusted p", alone);
        // Among many claims with the same evidence, each adjusted p is multiplied by up to their number.
        var family = Enumerable.Repeat(test, 40).ToList();
        var verdicts = ClaimCheck.Verdicts(family);
        Assert.All(verdicts, v => Assert.Equal(VerdictOutcome.CannotTell, v.Outcome));
        Assert.All(verdicts, v => Assert.StartsWith("**Cannot tell at this scale**", v.Text));
        Assert.Contains("over 40 claims", verdicts[0].Text);
    }

    [Fact]
    public void A_diverged_run_is_scored_at_its_initial_loss_not_left_out()
    {
        var results = Results(
            Run("a", 0, null, diverged: true, initial: 5.5), Run("a", 1, null, diverged: true, initial: 5.6), Run("a", 2, 2.0),
            Run("b", 0, 2.0), Run("b", 1, 2.1), Run("b", 2, 1.9));
        var test = ClaimCheck.Evaluate(results, Claim(ClaimExpectation.Higher));
        Assert.Equal(((5.5 + 5.6 + 2.0) - (2.0 + 2.1 + 1.9)) / 3, test.Difference, 10);
        Assert.Contains("2 diverged runs scored at the initial loss", test.Counts);
        var rows = ResultTable.Build(results);
        Assert.Equal(2, rows.Single(r => r.Variant == "a").Diverged);
        Assert.Equal(3, rows.Single(r => r.Variant == "a").SeedLosses.Count);
    }

    [Fact]
    public void A_claim_beyond_the_runs_tokens_is_out_of_reach()
    {
        var verdict = One(Paired(), Claim(ClaimExpectation.Lower, tokens: 2_000_000_000));
        Assert.StartsWith("**Out of reach at this scale**", verdict);
        Assert.Contains("needs about 2.00B", verdict);
    }
}
