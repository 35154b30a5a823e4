using Ablations.Experiments;

namespace Ablations.Cluster;

/// <summary>
/// Where an experiment submitted to Slurm stands: each run's folder (the truth about what is trained) joined with
/// squeue (what is queued or running, found by the experiment's job name, so resubmissions by hand count) and, where
/// the cluster keeps accounting, sacct (how a task that is gone ended). Without accounting a task that left the
/// queue incomplete is failed, and its log says why.
/// </summary>
public sealed class SlurmExperimentStatus
{
    public required string Folder { get; init; }
    public required string JobName { get; init; }
    /// <summary>The experiment's jobs still pending or running (array tasks and follow-up jobs).</summary>
    public required IReadOnlyList<SlurmQueueEntry> Active { get; init; }
    public required IReadOnlyList<SlurmRunStatus> Runs { get; init; }
    /// <summary>Whether the cluster answered sacct.</summary>
    public bool HasAccounting { get; init; }

    /// <summary>Nothing of the experiment is queued or running any more.</summary>
    public bool Finished => Active.Count == 0;

    public int Count(SlurmRunState state) => Runs.Count(r => r.State == state);

    /// <summary>The status of the experiment in <paramref name="folder"/>, or null when it was never submitted to Slurm.</summary>
    public static SlurmExperimentStatus? Read(string folder, SlurmClient slurm, bool accounting = false)
    {
        if (SlurmJobLog.Read(folder) is not { } log) return null;
        var tasks = SlurmTaskList.Read(folder);
        var queue = slurm.Queue(log.JobName);
        var active = queue.Where(e => e.IsActive).ToList();
        var records = accounting ? slurm.Accounting(log.Submissions.Select(s => s.ArrayJob)) : null;
        var runs = RunProgress.ReadAll(folder).Select(progress =>
        {
            var index = tasks.IndexOf(Path.GetRelativePath(folder, progress.Folder));
            return Classify(folder, progress, index, queue, active, records);
        }).ToList();
        return new SlurmExperimentStatus { Folder = folder, JobName = log.JobName, Active = active, Runs = runs, HasAccounting = records != null };
    }

    static SlurmRunStatus Classify(string folder, RunProgress progress, int? index, IReadOnlyList<SlurmQueueEntry> queue,
        IReadOnlyList<SlurmQueueEntry> active, IReadOnlyList<SlurmAccountingEntry>? records)
    {
        var log = index is int i ? TaskLog(folder, i) : null;
        if (progress.State is RunState.Completed or RunState.Diverged) return new SlurmRunStatus(progress, SlurmRunState.Done, null, null, log);
        var live = active.LastOrDefault(e => e.Task != null && e.Task == index);
        if (live != null)
        {
            var state = live.IsRunning ? SlurmRunState.Running : SlurmRunState.Pending;
            var detail = live.IsRunning ? $"on {live.Nodes}" : $"{live.State.ToLowerInvariant()} ({live.Reason})";
            return new SlurmRunStatus(progress, state, live.JobId, detail, log);
        }
        if (index == null)
        {
            // Not yet listed: a tuned experiment's seeds wait for the follow-up job that will submit them.
            return active.Count > 0
                ? new SlurmRunStatus(progress, SlurmRunState.Pending, null, "waits for the job that submits it", null)
                : new SlurmRunStatus(progress, SlurmRunState.NotSubmitted, null, null, null);
        }
        var ended = queue.LastOrDefault(e => e.Task == index);
        var record = records?.LastOrDefault(r => r.Task == index);
        var how = record != null ? $"{record.State}, exit code {record.ExitCode}"
            : ended != null ? ended.State
            : "no longer queued";
        return new SlurmRunStatus(progress, SlurmRunState.Failed, record != null ? $"{record.ArrayJob}_{record.Task}" : ended?.JobId, how, log);
    }

    /// <summary>The newest Slurm log of task <paramref name="index"/> (logs/ARRAYJOB_INDEX.out), or null when none was written.</summary>
    static string? TaskLog(string folder, int index)
    {
        var logs = Path.Combine(folder, "slurm", "logs");
        if (!Directory.Exists(logs)) return null;
        return Directory.GetFiles(logs, $"*_{index}.out").OrderBy(File.GetLastWriteTimeUtc).LastOrDefault();
    }
}
