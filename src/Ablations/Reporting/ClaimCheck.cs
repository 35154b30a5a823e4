using Ablations.Common;
using System.Globalization;
using Ablations.Analysis;
using Ablations.Experiments;
using MathNet.Numerics.Distributions;

namespace Ablations.Reporting;

/// <summary>
/// Turns claims into verdicts a reviewer can check. Each claim is tested on its runs: a paired t-test when both
/// variants ran the same seeds (same initial weights and batch order), Welch's test otherwise; a diverged run is
/// scored at its initial loss, never left out. "Similar" claims are tested for equivalence within the margin they
/// state (two one-sided tests). The p-values of all claims of a report are corrected together (Holm-Bonferroni),
/// and every verdict is one of: agrees, disagrees, equivalent within +-m, cannot tell at this scale, out of reach at
/// this scale (the claim states the tokens it needs and the runs saw fewer).
/// </summary>
public static class ClaimCheck
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    public const double Alpha = 0.05;

    /// <summary>The evidence for a claim from one experiment's runs, before correction.</summary>
    public static ClaimTest Evaluate(ExperimentResults results, ClaimEntry claim)
    {
        var experiment = Path.GetFileName(results.Folder);
        var a = Runs(results, claim.A, claim.At);
        var b = Runs(results, claim.B, claim.At);
        var where = AtBest(results, claim.At) is { } tuned
            ? $"{(claim.At.Length > 0 ? $" at {claim.At}," : "")} at each one's best {tuned} ({TunedPart(results, results.Manifest.BestOf(claim.A, claim.At))}, {TunedPart(results, results.Manifest.BestOf(claim.B, claim.At))})"
            : claim.At.Length > 0 ? $" at {claim.At}" : "";
        ClaimTest Exact(VerdictOutcome outcome, string text) =>
            new() { Claim = claim, Experiment = experiment, Exact = new Verdict(outcome, text, Untested: true) };
        if (a.Count == 0 || b.Count == 0)
            return Exact(VerdictOutcome.NotRun, $"**Not run**: {claim.A} or {claim.B}{where} has no finished runs.");

        if (claim.Metric == ClaimMetric.KvCache)
        {
            var ka = Inspector.Inspect(a[0].Config.Model, LongContext.Tokens, "bf16").KvBytesAtContext;
            var kb = Inspector.Inspect(b[0].Config.Model, LongContext.Tokens, "bf16").KvBytesAtContext;
            var actual = ka < kb ? ClaimExpectation.Lower : ka > kb ? ClaimExpectation.Higher : ClaimExpectation.Similar;
            return Exact(actual == claim.Expect ? VerdictOutcome.Agrees : VerdictOutcome.Disagrees,
                $"**{(actual == claim.Expect ? "Agrees" : "Disagrees")}** (exact, from the configuration): for one {LongContext.Label}-token sequence {claim.A} caches " +
                         $"{Units.Bytes(ka)}, {claim.B} {Units.Bytes(kb)} ({((double)ka / kb).ToString("0.###", Inv)}x).");
        }
        var seen = a.Concat(b).Min(r => r.Tokens);
        if (claim.Tokens is long needed && seen < needed)
            return Exact(VerdictOutcome.OutOfReach, $"**Out of reach at this scale** (needs about {Units.Count(needed)} training tokens per run; these runs saw {Units.Count(seen)}).");

        var value = ValueOf(claim.Metric);
        var name = NameOf(claim.Metric);
        var va = a.Where(r => value(r) != null).ToDictionary(r => r.Seed, r => value(r)!.Value);
        var vb = b.Where(r => value(r) != null).ToDictionary(r => r.Seed, r => value(r)!.Value);
        var diverged = a.Count(r => r.Diverged) + b.Count(r => r.Diverged);
        var counts = $"{va.Count} and {vb.Count} seeds" +
                     (diverged > 0 && claim.Metric is ClaimMetric.ValLoss or ClaimMetric.ValAccuracy
                         ? $", {Units.Counted(diverged, "diverged run")} scored at {(claim.Metric == ClaimMetric.ValLoss ? "the initial loss" : "chance")}" : "");
        if (va.Count < 2 || vb.Count < 2) return Exact(VerdictOutcome.CannotTell, $"**Cannot tell at this scale**: fewer than two runs on a side{where} ({counts}).");

        if (SeedComparison.Of(va, vb) is not var (difference, se, df, p, test))
            return Exact(VerdictOutcome.CannotTell, $"**Cannot tell at this scale**: {claim.A} and {claim.B}{where} show no spread to test ({counts}).");
        var half = StudentT.InvCDF(0, 1, df, 0.975) * se;
        var equivalence = claim.Expect == ClaimExpectation.Similar ? Statistics.Tost(difference, se, df, claim.Margin!.Value) : null;
        return new ClaimTest
        {
            Claim = claim, Experiment = experiment, Difference = difference, Ci95Low = difference - half, Ci95High = difference + half,
            Test = test, DifferencePValue = p, Equivalence = equivalence, PValue = equivalence?.PValue ?? p, Counts = counts, MetricName = name, Where = where,
            BeyondMarginPValue = equivalence != null ? Statistics.BeyondMargin(difference, se, df, claim.Margin!.Value) : null,
        };
    }

    /// <summary>
    /// Verdicts for all claims of a report, with p-values corrected together (Holm-Bonferroni), in the input's order.
    /// The family is every hypothesis tested: one per lower/higher claim, two per similar claim (equivalent within
    /// the margin, or different by more than it), so that "disagrees" is decided at the same family-wise level as
    /// every other verdict.
    /// </summary>
    public static IReadOnlyList<Verdict> Verdicts(IReadOnlyList<ClaimTest> tests)
    {
        var hypotheses = tests.Select((t, i) => (t, i)).Where(x => x.t.PValue != null)
            .SelectMany(x => x.t.BeyondMarginPValue is double beyond
                ? new[] { (x.i, Beyond: false, P: x.t.PValue!.Value), (x.i, Beyond: true, P: beyond) }
                : new[] { (x.i, Beyond: false, P: x.t.PValue!.Value) }).ToList();
        var adjusted = Statistics.Holm(hypotheses.Select(h => h.P).ToList());
        var byHypothesis = hypotheses.Select((h, k) => (h.i, h.Beyond, Adjusted: adjusted[k])).ToDictionary(h => (h.i, h.Beyond), h => h.Adjusted);
        var claims = tests.Count(t => t.PValue != null);
        var family = hypotheses.Count == claims ? Units.Counted(claims, "claim") : $"{Units.Counted(hypotheses.Count, "hypothesis", "hypotheses")} of {Units.Counted(claims, "claim")}";
        return tests.Select((t, i) => t.Exact ?? Verdict(t, byHypothesis[(i, false)], byHypothesis.GetValueOrDefault((i, true), 1), family)).ToList();
    }

    /// <summary>
    /// Whether the measured difference points against the claim, significant or not: the opposite sign for a
    /// lower/higher claim, beyond the margin for a similar one. The report shows the evidence for those too.
    /// </summary>
    public static bool PointsAgainst(ClaimTest t) =>
        t.Exact == null && t.PValue != null && (t.Equivalence is { } eq
            ? Math.Abs(t.Difference) > eq.Margin
            : (t.Claim.Expect == ClaimExpectation.Lower ? t.Difference > 0 : t.Difference < 0));

    static Verdict Verdict(ClaimTest t, double adjusted, double adjustedBeyond, string family)
    {
        var c = t.Claim;
        var where = t.Where;
        var big = Math.Abs(t.Difference) >= 100;
        string F(double v) => v.ToString(big ? "+0;-0" : "+0.0000;-0.0000", Inv);
        var summary = $"{c.A}'s {t.MetricName} minus {c.B}'s is {F(t.Difference)}{where}";
        if (t.Equivalence is { } eq)
        {
            var m = eq.Margin.ToString("0.####", Inv);
            var tests = $"95% CI [{F(t.Ci95Low)}, {F(t.Ci95High)}], {t.Test} p {P(t.DifferencePValue)}, equivalence (TOST, ±{m}) p {P(eq.PValue)}, " +
                        $"beyond ±{m} p {P(t.BeyondMarginPValue ?? 1)}, Holm-adjusted {P(adjusted)} and {P(adjustedBeyond)} over {family}, {t.Counts}";
            if (adjusted < Alpha) return new(VerdictOutcome.Equivalent, $"**Equivalent within ±{m}**: {summary} ({tests}).");
            if (adjustedBeyond < Alpha)
                return new(VerdictOutcome.Disagrees, $"**Disagrees**: {summary}, more than the ±{m} the claim allows ({tests}).");
            return new(VerdictOutcome.CannotTell,
                $"**Cannot tell at this scale**: {summary}; neither equivalence within ±{m} nor a larger difference is shown ({tests}).");
        }
        var evidence = $"95% CI [{F(t.Ci95Low)}, {F(t.Ci95High)}], {t.Test} p {P(t.DifferencePValue)}, Holm-adjusted p {P(adjusted)} over {family}, {t.Counts}";
        if (adjusted >= Alpha) return new(VerdictOutcome.CannotTell, $"**Cannot tell at this scale**: {summary} ({evidence}).");
        var direction = t.Difference < 0 ? ClaimExpectation.Lower : ClaimExpectation.Higher;
        return direction == c.Expect
            ? new(VerdictOutcome.Agrees, $"**Agrees**: {summary} ({evidence}).")
            : new(VerdictOutcome.Disagrees, $"**Disagrees**: {summary}, the opposite of the claim ({evidence}).");
    }

    /// <summary>A run's value of a claim's metric (the scored one: a diverged run at its initial loss, or at chance).</summary>
    /// <remarks>
    /// The largest attention logit is compared on a log scale: it grows by orders of magnitude where training
    /// destabilises (Wortsman et al. 2023), so on its raw values one seed's 10^5 would decide any test.
    /// </remarks>
    public static Func<RunResult, double?> ValueOf(ClaimMetric metric) => metric switch
    {
        ClaimMetric.MaxAttnLogit => r => r.MaxAttentionLogit is double v && v > 0 ? Math.Log10(v) : null,
        ClaimMetric.ValAccuracy => r => r.ScoredValAccuracy,
        _ => r => r.ScoredValLoss,
    };

    public static string NameOf(ClaimMetric metric) => metric switch
    {
        ClaimMetric.MaxAttnLogit => "log10 of the largest attention logit",
        ClaimMetric.ValAccuracy => "final answer accuracy",
        ClaimMetric.KvCache => "KV cache",
        _ => "final validation loss",
    };

    static string P(double p) => p < 0.001 ? "< 0.001" : "= " + TableFormatter.PValue(p);

    /// <summary>The runs a claim compares: finished (completed or diverged) runs of the variant at the sweep point.</summary>
    static List<RunResult> Runs(ExperimentResults results, string variant, string at)
    {
        // In a tuned experiment a claim whose `at` does not name the tuned key compares each variant at its own best
        // grid point (at that point of the other axes).
        if (AtBest(results, at) != null) at = results.Manifest.BestOf(variant, at) ?? "";
        return results.Runs.Where(r => r.Variant == variant && r.SweepPoint == at && r.Complete).ToList();
    }

    /// <summary>The tuned key's short name when a claim at <paramref name="at"/> compares each variant at its best value of it; else null.</summary>
    static string? AtBest(ExperimentResults results, string at)
    {
        var name = results.Manifest.TuneKey?.Split('.')[^1];
        return name != null && !at.Split(',').Any(p => p.StartsWith(name + "=", StringComparison.Ordinal)) ? name : null;
    }

    /// <summary>The tuned key's part of a chosen label ("lr=0.003" of "source=recall,lr=0.003"), or "?" when none was chosen.</summary>
    internal static string TunedPart(ExperimentResults results, string? label)
    {
        var name = results.Manifest.TuneKey!.Split('.')[^1] + "=";
        return label?.Split(',').FirstOrDefault(p => p.StartsWith(name, StringComparison.Ordinal)) ?? "?";
    }
}
