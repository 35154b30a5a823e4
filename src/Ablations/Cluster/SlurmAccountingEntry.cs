using System.Globalization;

namespace Ablations.Cluster;

/// <summary>One array task as sacct records it: its array job id and index, final (or current) state and exit code ("1:0").</summary>
public sealed record SlurmAccountingEntry(string ArrayJob, int Task, string State, string ExitCode)
{
    /// <summary>sacct --format for <see cref="Parse"/>.</summary>
    public const string Format = "JobID,State,ExitCode";

    /// <summary>Array task rows ("12_3|FAILED|1:0"); rows of whole jobs or unsplit ranges ("12_[4-7]") are left out.</summary>
    public static IReadOnlyList<SlurmAccountingEntry> Parse(string sacctOutput)
    {
        var entries = new List<SlurmAccountingEntry>();
        foreach (var line in sacctOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|');
            if (f.Length < 3) continue;
            var id = f[0].Split('_');
            if (id.Length != 2 || !int.TryParse(id[1], NumberStyles.None, CultureInfo.InvariantCulture, out var task)) continue;
            // "CANCELLED by 0" names who cancelled; the state is the first word.
            entries.Add(new SlurmAccountingEntry(id[0], task, f[1].Split(' ')[0], f[2]));
        }
        return entries;
    }
}
