namespace Ablations.Experiments;

/// <summary>
/// With tune and a sweep over other keys, each variant is tuned separately at every point of those other axes (a
/// data source, say): a tuning group. A run's label names every axis (source=recall,lr=0.003); its group drops the
/// tuned one.
/// </summary>
public static class TuneGroups
{
    /// <summary>The key of a variant's group in <see cref="ExperimentManifest.Best"/>: the variant's name alone without other axes.</summary>
    public static string Key(string variant, string fixedPoint) => fixedPoint.Length == 0 ? variant : $"{variant} at {fixedPoint}";

    /// <summary>A point label without the tuned key's part: "source=recall,lr=0.003" to "source=recall".</summary>
    public static string Fixed(string point, string tuneKey)
    {
        var prefix = tuneKey.Split('.')[^1] + "=";
        return string.Join(",", point.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(part => !part.StartsWith(prefix, StringComparison.Ordinal)));
    }
}
