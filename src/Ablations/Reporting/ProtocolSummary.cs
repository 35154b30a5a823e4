using System.Globalization;
using Ablations.Common;
using Ablations.Experiments;

namespace Ablations.Reporting;

/// <summary>
/// The report's opening paragraph: the protocol its verdicts rest on, read off the experiments themselves (scale,
/// tokens and tokens per parameter, how learning rates were chosen, seeds, tests, correction, margins), so that it
/// cannot drift from what was run.
/// </summary>
public static class ProtocolSummary
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Describe(IReadOnlyList<(ExperimentResults Results, IReadOnlyList<TableRow> Rows)> experiments, int claimCount)
    {
        var manifests = experiments.Select(e => e.Results.Manifest).ToList();
        var scales = manifests.Select(m => m.Scale ?? "none").Distinct().ToList();
        var runs = experiments.SelectMany(e => e.Results.Runs).Where(r => r.Complete).ToList();
        var rows = experiments.SelectMany(e => e.Rows).Where(r => r.TokensPerParameter > 0).ToList();
        var parts = new List<string>
        {
            $"**Protocol.** {Units.Counted(experiments.Count, "experiment")} at the `{string.Join("`, `", scales)}` scale" +
            (runs.Count > 0 ? $"; every finished run trained on {Units.Range(Units.Count(runs.Min(r => r.Tokens)), Units.Count(runs.Max(r => r.Tokens)))} tokens" : "") +
            (rows.Count > 0 ? $", {Units.Range(rows.Min(r => r.TokensPerParameter).ToString("F1", Inv), rows.Max(r => r.TokensPerParameter).ToString("F1", Inv))} per non-embedding parameter (every expert of a mixture counted)" : "") + ".",
        };
        var tuned = manifests.Where(m => m.TuneKey != null).ToList();
        if (tuned.Count > 0)
            parts.Add($"Learning rates: each variant runs a grid on its first seeds and is compared at its own best value (lowest mean final validation loss, a diverged run counting at its initial loss: best-of-sweep, as Wortsman et al. 2023 compare), where its remaining seeds then run; with another sweep axis (a data source) it is tuned at each of its points. Grids: " +
                      string.Join("; ", tuned.Select(m => $"{m.Name} {Grid(m)}")) + ". " + Edges(tuned));
        var swept = manifests.Where(m => m.TuneKey == null && m.SweepKeys.Count > 0).ToList();
        if (swept.Count > 0)
            parts.Add("Swept without tuning (every value reported): " + string.Join("; ", swept.Select(m => $"{m.Name} over {string.Join(", ", m.SweepKeys)}")) + ".");
        var seeds = manifests.Select(m => m.Seeds.Count).Distinct().Order().ToList();
        parts.Add($"Seeds: {string.Join(" or ", seeds)} per variant at its compared point, shared across variants (the same initial weights and batch order), " +
                  "so differences are tested paired over seeds (a t-test on the per-seed differences; Welch's test where the seeds differ).");
        var margins = manifests.SelectMany(m => m.Claims).Where(c => c.Expect == ClaimExpectation.Similar && c.Margin != null)
            .Select(c => $"{c.Margin!.Value.ToString("0.###", Inv)} {(c.Metric == ClaimMetric.ValAccuracy ? "of accuracy" : "nats")}").Distinct().ToList();
        parts.Add($"Claims of \"similar\" are tested for equivalence within the margin each states (two one-sided tests{(margins.Count > 0 ? "; margins " + string.Join(", ", margins) : "")}); " +
                  $"the p-values of {(claimCount == 1 ? "the 1 tested claim" : $"all {claimCount} tested claims")} of this report are corrected together (Holm-Bonferroni, family-wise 5%; a \"similar\" claim enters twice, as equivalence within its margin and as a difference beyond it, its verdict \"disagrees\"; a KV-cache claim is exact, from the configuration, and a largest attention logit is compared as its log10). Diverged runs stay in every comparison, " +
                  "scored at their initial loss (answer accuracy at chance). A claim that needs more tokens than these runs saw says so, with the tokens it needs.");
        return string.Join(" ", parts);
    }

    static List<string> GridValues(ExperimentManifest m) =>
        m.Runs.Select(r => r.SweepValues.GetValueOrDefault(m.TuneKey!, "")).Distinct()
            .OrderBy(v => double.TryParse(v, NumberStyles.Float, Inv, out var d) ? d : 0).ToList();

    /// <summary>
    /// Which chosen values lie on the lowest or highest value of their grid, where the optimum may lie beyond it:
    /// the reader must see that in the report, not only in the run log.
    /// </summary>
    internal static string Edges(IEnumerable<ExperimentManifest> tuned)
    {
        var edges = new List<string>();
        foreach (var m in tuned)
        {
            var values = GridValues(m);
            if (values.Count < 2) continue;
            var points = m.Runs.Select(r => m.FixedPoint(r.SweepPoint)).Distinct().Order(StringComparer.Ordinal).ToList();
            foreach (var group in m.Variants.SelectMany(v => points.Select(p => TuneGroups.Key(v, p))))
            {
                if (!m.Best.TryGetValue(group, out var label)) continue;
                var value = m.Runs.FirstOrDefault(r => r.SweepPoint == label)?.SweepValues.GetValueOrDefault(m.TuneKey!);
                if (value == values[0] || value == values[^1])
                    edges.Add($"{m.Name} {group} ({value}, the {(value == values[0] ? "lowest" : "highest")})");
            }
        }
        return edges.Count == 0
            ? "Every chosen value lies inside its grid."
            : $"Chosen on the edge of its grid, so the optimum may lie beyond it: {string.Join("; ", edges)}.";
    }

    static string Grid(ExperimentManifest m)
    {
        var values = GridValues(m);
        var tuningSeeds = m.Runs.Where(r => r.SweepValues.Count > 0).GroupBy(r => (r.Variant, r.SweepPoint)).Select(g => g.Count()).DefaultIfEmpty(0).Min();
        return $"{values.Count} values from {values.FirstOrDefault()} to {values.LastOrDefault()} on {Units.Counted(tuningSeeds, "seed")}";
    }
}
