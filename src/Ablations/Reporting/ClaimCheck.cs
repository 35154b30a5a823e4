using Ablations.Common;
using System.Globalization;
using Ablations.Analysis;
using Ablations.Experiments;
using MathNet.Numerics.Distributions;

namespace Ablations.Reporting;

/// <summary>
/// Turns a claim into a one-sentence verdict from the seeds: agrees or disagrees only when Welch's test finds
/// the difference at the 5% level (or the runs diverged on one side only), otherwise "cannot tell".
/// </summary>
public static class ClaimCheck
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Verdict(ExperimentResults results, ClaimEntry claim)
    {
        var a = Runs(results, claim.A, claim.At);
        var b = Runs(results, claim.B, claim.At);
        var where = claim.At.Length > 0 ? $" at {claim.At}" : "";
        if (a.Count == 0 || b.Count == 0) return $"**Not run**: {claim.A} or {claim.B}{where} has no finished runs.";

        if (claim.Metric == ClaimMetric.KvCache)
        {
            var ka = Inspector.Inspect(a[0].Config.Model, LongContext.Tokens, "bf16").KvBytesAtContext;
            var kb = Inspector.Inspect(b[0].Config.Model, LongContext.Tokens, "bf16").KvBytesAtContext;
            var actual = ka < kb ? ClaimExpectation.Lower : ka > kb ? ClaimExpectation.Higher : ClaimExpectation.Similar;
            return $"**{(actual == claim.Expect ? "Agrees" : "Disagrees")}** (exact, from the configuration): for one {LongContext.Label}-token sequence {claim.A} caches " +
                   $"{Units.Bytes(ka)}, {claim.B} {Units.Bytes(kb)} ({((double)ka / kb).ToString("0.###", Inv)}x).";
        }

        var divergedA = a.Count(r => r.Diverged);
        var divergedB = b.Count(r => r.Diverged);
        var (name, va, vb) = claim.Metric == ClaimMetric.MaxAttnLogit
            ? ("largest attention logit", Logits(a), Logits(b))
            : ("final validation loss", Finals(a), Finals(b));
        var seeds = $"{a.Count} and {b.Count} seeds";

        if (claim.Metric == ClaimMetric.ValLoss && divergedA != divergedB && (divergedA == a.Count || divergedB == b.Count))
        {
            // One side diverged in every seed: its loss is worse than any finite one.
            var worse = divergedA > divergedB ? ClaimExpectation.Higher : ClaimExpectation.Lower;
            var agrees = claim.Expect == worse;
            return $"**{(agrees ? "Agrees" : "Disagrees")}**: {claim.A} diverged in {divergedA}/{a.Count} runs{where}, {claim.B} in {divergedB}/{b.Count}.";
        }
        var diverged = divergedA + divergedB;
        var divergedNote = diverged > 0 ? $" ({diverged} diverged run{(diverged == 1 ? "" : "s")} left out)" : "";
        if (va.Count < 2 || vb.Count < 2)
            return $"**Cannot tell**: fewer than two finished seeds on a side{where}{divergedNote}.";

        var mean = va.Average() - vb.Average();
        var welch = Statistics.Welch(va, vb);
        var summary = string.Create(Inv, $"{claim.A}'s {name} minus {claim.B}'s is {(Math.Abs(mean) >= 100 ? mean.ToString("+0;-0", Inv) : mean.ToString("+0.0000;-0.0000", Inv))}");
        if (welch == null) return $"**Cannot tell**: {summary}{where}, with no spread to test ({seeds}).";
        var se = Math.Abs(welch.Difference / welch.T);
        var half = StudentT.InvCDF(0, 1, welch.DegreesOfFreedom, 0.975) * se;
        var digits = Math.Abs(mean) >= 100 ? "0" : "0.0000";
        var interval = string.Create(Inv, $"95% CI of the difference [{(mean - half).ToString(digits, Inv)}, {(mean + half).ToString(digits, Inv)}], Welch p {(welch.PValue < 0.001 ? "< 0.001" : "= " + TableFormatter.PValue(welch.PValue))}, {seeds}");
        var significant = welch.PValue < 0.05;
        var direction = mean < 0 ? ClaimExpectation.Lower : ClaimExpectation.Higher;
        if (claim.Expect == ClaimExpectation.Similar)
            return significant
                ? $"**Disagrees**: {summary}{where}, a significant difference ({interval}){divergedNote}."
                : $"**Consistent**: {summary}{where}, no significant difference ({interval}); this does not prove equality{divergedNote}.";
        if (!significant)
            return $"**Cannot tell at this scale**: {summary}{where}; the interval includes 0 ({interval}){divergedNote}.";
        return direction == claim.Expect
            ? $"**Agrees**: {summary}{where} ({interval}){divergedNote}."
            : $"**Disagrees**: {summary}{where}, the opposite of the claim ({interval}){divergedNote}.";
    }

    static List<RunResult> Runs(ExperimentResults results, string variant, string at) =>
        results.Runs.Where(r => r.Variant == variant && r.SweepPoint == at && r.Complete).ToList();

    static List<double> Logits(List<RunResult> runs) => runs.Where(r => r.MaxAttentionLogit != null).Select(r => r.MaxAttentionLogit!.Value).ToList();

    static List<double> Finals(List<RunResult> runs) => runs.Where(r => r.FinalValLoss != null).Select(r => r.FinalValLoss!.Value).ToList();
}
