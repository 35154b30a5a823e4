namespace Ablations.Analysis;

/// <summary>Stability figures from a loss curve.</summary>
public static class Stability
{
    /// <summary>
    /// Loss spikes: steps whose value exceeds the mean of the previous <paramref name="window"/> steps by more
    /// than three of their standard deviations and by at least <paramref name="minJump"/> (so flat curves do
    /// not count noise). Non-finite values count as spikes.
    /// </summary>
    public static int CountSpikes(IReadOnlyList<double> values, int window = 20, double minJump = 0.1)
    {
        int spikes = 0;
        for (int i = window; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i])) { spikes++; continue; }
            var previous = values.Skip(i - window).Take(window).Where(double.IsFinite).ToList();
            if (previous.Count < 2) continue;
            var mean = previous.Average();
            var std = Math.Sqrt(previous.Sum(v => (v - mean) * (v - mean)) / (previous.Count - 1));
            if (values[i] > mean + Math.Max(3 * std, minJump)) spikes++;
        }
        return spikes;
    }
}
