using System.Diagnostics;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>
/// Round-robin timing: every round runs each subject once, in turn, so a slow spell of a shared machine (other
/// tenants, frequency changes) falls on all subjects alike instead of on whichever ran at that moment. Ratios
/// are then taken per round (paired) and summarised by their median.
/// </summary>
public static class Interleaved
{
    /// <summary>Milliseconds of each subject per timed round: result[subject][round].</summary>
    public static List<double>[] Time(IReadOnlyList<Action> subjects, int warmup, int rounds)
    {
        var times = subjects.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < warmup + rounds; r++)
            for (int s = 0; s < subjects.Count; s++)
            {
                var watch = Stopwatch.StartNew();
                using (NewDisposeScope()) subjects[s]();
                if (r >= warmup) times[s].Add(watch.Elapsed.TotalMilliseconds);
            }
        return times;
    }

    public static double Median(IEnumerable<double> values) => MathNet.Numerics.Statistics.Statistics.Median(values);

    /// <summary>Median over rounds of a[round] / b[round].</summary>
    public static double PairedRatio(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        Median(a.Zip(b, (x, y) => x / y));
}
