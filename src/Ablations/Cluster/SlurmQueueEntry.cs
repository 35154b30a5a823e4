using System.Globalization;

namespace Ablations.Cluster;

/// <summary>
/// One job, or one task of an array job, as squeue lists it: the array job id and task index (null for a job that
/// is not an array, such as the follow-up), squeue's own id for it ("12_3"), its state, the reason it waits and
/// its node.
/// </summary>
public sealed record SlurmQueueEntry(string ArrayJob, int? Task, string JobId, string State, string Reason, string Nodes)
{
    /// <summary>squeue --format for <see cref="Parse"/>.</summary>
    public const string Format = "%F|%K|%i|%T|%r|%N";

    /// <summary>States of a job that has ended; the controller lists them until MinJobAge has passed.</summary>
    static readonly HashSet<string> Ended = new(StringComparer.Ordinal)
    {
        "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED",
    };

    /// <summary>Pending, running or on its way to either (requeued, completing, suspended): it still holds or will take a place.</summary>
    public bool IsActive => !Ended.Contains(State);

    public bool IsRunning => State is "RUNNING" or "COMPLETING" or "CONFIGURING";

    public static IReadOnlyList<SlurmQueueEntry> Parse(string squeueOutput)
    {
        var entries = new List<SlurmQueueEntry>();
        foreach (var line in squeueOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|');
            if (f.Length < 6) continue;
            int? task = int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : null;
            entries.Add(new SlurmQueueEntry(f[0], task, f[2], f[3], f[4], f[5]));
        }
        return entries;
    }
}
