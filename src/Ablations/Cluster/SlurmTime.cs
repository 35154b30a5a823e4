using System.Globalization;
using System.Text.RegularExpressions;
using Ablations.Config;

namespace Ablations.Cluster;

/// <summary>
/// A Slurm time limit as sbatch --time reads it: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
/// days-hours:minutes or days-hours:minutes:seconds; 0, UNLIMITED or INFINITE for none.
/// </summary>
public static partial class SlurmTime
{
    [GeneratedRegex(@"^(?:(?<d>\d+)-(?<h>\d+)(?::(?<m>\d+)(?::(?<s>\d+))?)?|(?<a>\d+)(?::(?<b>\d+)(?::(?<c>\d+))?)?)$")]
    private static partial Regex Pattern();

    /// <summary>The limit, or null for none; a spelling sbatch would not accept is bad input naming <paramref name="option"/>.</summary>
    public static TimeSpan? Parse(string text, string option = "--time")
    {
        var t = text.Trim();
        if (t.Equals("UNLIMITED", StringComparison.OrdinalIgnoreCase) || t.Equals("INFINITE", StringComparison.OrdinalIgnoreCase)) return null;
        var m = Pattern().Match(t);
        if (!m.Success)
            throw new ConfigException($"'{text}' is not a Slurm time limit; allowed: HH:MM:SS, MM, MM:SS, D-HH, D-HH:MM, D-HH:MM:SS", key: option);
        int N(string group) => m.Groups[group].Success ? int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        TimeSpan limit;
        if (m.Groups["d"].Success) limit = new TimeSpan(N("d"), N("h"), N("m"), N("s"));
        else if (m.Groups["c"].Success) limit = new TimeSpan(N("a"), N("b"), N("c"));
        else limit = TimeSpan.FromMinutes(N("a")) + TimeSpan.FromSeconds(N("b"));
        return limit == TimeSpan.Zero ? null : limit;
    }

    /// <summary>
    /// How long before the limit a task asks to be warned (sbatch --signal), so the trainer can finish its step and
    /// save a checkpoint: a tenth of the limit, at least 30 s and at most 5 minutes (half a limit shorter than a
    /// minute); 2 minutes when the limit is the partition's, unknown here.
    /// </summary>
    public static int WarningSeconds(TimeSpan? limit)
    {
        if (limit is not { } l) return 120;
        if (l.TotalSeconds < 60) return Math.Max(1, (int)(l.TotalSeconds / 2));
        return (int)Math.Clamp(l.TotalSeconds / 10, 30, 300);
    }
}
