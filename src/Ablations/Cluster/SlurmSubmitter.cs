using Ablations.Common;
using Ablations.Experiments;

namespace Ablations.Cluster;

/// <summary>
/// Submits one phase of an experiment as a Slurm array: task i trains run i of slurm/tasks.txt, for the runs not
/// complete; then a follow-up job, after the whole array has succeeded, runs <c>ablate run</c> again to submit the
/// next phase or write the table. The scripts, the task list and the job log stay in the experiment's slurm/
/// folder, to be read and resubmitted by hand. The caller holds the experiment's lock.
/// </summary>
public sealed class SlurmSubmitter
{
    readonly SlurmClient _slurm;
    readonly string _workingDirectory;
    readonly IReadOnlyList<string> _ablate;

    /// <param name="ablate">The command that runs this program on a node (its executable, and its assembly when that is dotnet).</param>
    /// <param name="workingDirectory">Where tasks run, so relative data paths resolve as they do here.</param>
    public SlurmSubmitter(SlurmClient slurm, IReadOnlyList<string> ablate, string workingDirectory)
    {
        _slurm = slurm;
        _ablate = ablate;
        _workingDirectory = workingDirectory;
    }

    /// <param name="followUp">The arguments of the `ablate run` that continues the experiment (after the program).</param>
    public SlurmSubmission Submit(string experimentFolder, ExperimentPhase phase, SlurmOptions options, IReadOnlyList<string> followUp)
    {
        var slurmFolder = Path.Combine(experimentFolder, "slurm");
        Directory.CreateDirectory(Path.Combine(slurmFolder, "logs"));
        var log = SlurmJobLog.ReadOrNew(experimentFolder);
        var tasks = SlurmTaskList.Read(experimentFolder).Add(phase.Pending.Select(r => r.Folder));

        var arrayScript = Path.Combine(slurmFolder, "array.sh");
        AtomicFile.WriteAllText(arrayScript, SlurmArrayScript.Write(experimentFolder, log.JobName, tasks, options, _workingDirectory, _ablate));
        var submission = new SlurmSubmission
        {
            ArrayJob = _slurm.Submit(arrayScript, Array.Empty<string>()),
            Phase = phase.Completion ? "seeds" : "runs",
            Tasks = tasks,
            Submitted = DateTime.UtcNow,
        };
        log.With(submission).Write(experimentFolder);   // recorded before the follow-up, so a failure there still leaves the array visible

        var nextScript = Path.Combine(slurmFolder, "next.sh");
        AtomicFile.WriteAllText(nextScript, SlurmFollowUpScript.Write(experimentFolder, log.JobName, options, _workingDirectory, _ablate.Concat(followUp).ToList()));
        submission = submission with
        {
            FollowUpJob = _slurm.Submit(nextScript, new[] { $"--dependency=afterok:{submission.ArrayJob}", "--kill-on-invalid-dep=yes" }),
        };
        log.With(submission).Write(experimentFolder);
        return submission;
    }
}
