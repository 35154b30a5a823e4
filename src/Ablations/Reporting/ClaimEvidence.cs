using System.Globalization;
using System.Text;
using Ablations.Experiments;

namespace Ablations.Reporting;

/// <summary>
/// The evidence the report gives under a verdict that disagrees with the published result: the two variants'
/// metric at every value of the learning-rate grid (or sweep) at the claim's point of the other axes, mean over the
/// seeds run there with their number, so a reader sees whether the disagreement holds across learning rates or
/// comes from one of them; and where the learning curves are.
/// </summary>
public static class ClaimEvidence
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Describe(ExperimentResults results, ClaimEntry claim, string figuresPath)
    {
        var sb = new StringBuilder();
        var lrKey = Plots.LrKey(results);
        var name = ClaimCheck.NameOf(claim.Metric);
        sb.Append($"Evidence for \"{claim.Text}\":");
        if (lrKey != null && claim.Metric != ClaimMetric.KvCache)
        {
            var shortKey = lrKey.Split('.')[^1];
            var fixedPoint = TuneGroups.Fixed(claim.At, lrKey);
            var value = ClaimCheck.ValueOf(claim.Metric);
            var points = results.Groups()
                .Where(g => (g.Variant == claim.A || g.Variant == claim.B) && TuneGroups.Fixed(g.SweepPoint, lrKey) == fixedPoint)
                .GroupBy(g => g.Runs[0].SweepValues.GetValueOrDefault(lrKey, ""))
                .Select(g => (Lr: g.Key, A: Mean(g.Where(x => x.Variant == claim.A).SelectMany(x => x.Runs).Select(value)), B: Mean(g.Where(x => x.Variant == claim.B).SelectMany(x => x.Runs).Select(value))))
                .OrderBy(p => double.TryParse(p.Lr, NumberStyles.Float, Inv, out var v) ? v : 0).ToList();
            sb.AppendLine($" {name} at every {shortKey} of the grid{(fixedPoint.Length > 0 ? $" ({fixedPoint})" : "")}, mean over the seeds run there" +
                          (results.Manifest.TuneKey != null ? $"; {Best(results, claim.A, fixedPoint, shortKey)}, {Best(results, claim.B, fixedPoint, shortKey)}" : "") + ".");
            sb.AppendLine();
            sb.AppendLine($"| {shortKey} | {claim.A} | {claim.B} |");
            sb.AppendLine("|---|---|---|");
            foreach (var p in points) sb.AppendLine($"| {p.Lr} | {Cell(p.A)} | {Cell(p.B)} |");
            sb.AppendLine();
        }
        else sb.AppendLine();
        sb.AppendLine($"Learning curves of both at their compared points: `{figuresPath}`.");
        sb.AppendLine();
        return sb.ToString();
    }

    static string Best(ExperimentResults results, string variant, string fixedPoint, string shortKey) =>
        $"{variant}'s chosen {shortKey} is " +
        (ClaimCheck.TunedPart(results, results.Manifest.BestOf(variant, fixedPoint)) is var part && part.StartsWith(shortKey + "=", StringComparison.Ordinal)
            ? part[(shortKey.Length + 1)..] : "not chosen");

    static (double Mean, int N)? Mean(IEnumerable<double?> values)
    {
        var present = values.Where(v => v != null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : (present.Average(), present.Count);
    }

    static string Cell((double Mean, int N)? v) => v is { } x ? $"{x.Mean.ToString("F4", Inv)} ({x.N})" : "—";
}
