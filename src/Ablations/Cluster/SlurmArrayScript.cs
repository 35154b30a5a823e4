using System.Globalization;
using System.Text;

namespace Ablations.Cluster;

/// <summary>
/// The batch script of an experiment's array job (slurm/array.sh): task i trains the run folder on line i + 1 of
/// slurm/tasks.txt with `ablate train`, resuming from its checkpoint when it has one (a complete run is left as it
/// is). Near the time limit Slurm warns the script (--signal=B:USR1@seconds); it passes SIGTERM to the trainer,
/// which saves a checkpoint and exits, and requeues the task, which resumes on a later allocation. A task that is
/// cancelled or preempted is sent SIGTERM by Slurm itself and checkpoints the same way.
/// </summary>
public static class SlurmArrayScript
{
    /// <param name="ablate">The command that runs this program (the executable, and the assembly when that is dotnet).</param>
    public static string Write(string experimentFolder, string jobName, IReadOnlyList<int> tasks, SlurmOptions options, string workingDirectory, IReadOnlyList<string> ablate)
    {
        var warning = SlurmTime.WarningSeconds(options.TimeLimit);
        var array = ArrayIndices.Format(tasks) + (options.ArrayParallelism is int k ? string.Create(CultureInfo.InvariantCulture, $"%{k}") : "");
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        // No value in comments: every one is below, quoted (a folder's newline here would start a command).
        s.AppendLine("# Array job of the experiment in $experiment below, written by `ablate run --launcher slurm`.");
        s.AppendLine("# Task i trains the run folder on line i+1 of slurm/tasks.txt (relative to the experiment folder) and resumes it from");
        s.AppendLine("# its checkpoint when it has one; a complete run is left as it is. The trainer's output goes to the run's train.log.");
        s.AppendLine("# `sbatch` this file to resubmit the same tasks by hand; rerunning the `ablate run` command resubmits only what is not complete.");
        var own = new List<string> { $"--array={array}" };
        if (options.GpusPerTask is int gpus)
            own.Add(string.Create(CultureInfo.InvariantCulture, $"--gpus-per-task={gpus}"));
        own.Add("--requeue");
        own.Add(string.Create(CultureInfo.InvariantCulture, $"--signal=B:USR1@{warning}"));
        foreach (var line in SbatchDirectives.Lines(experimentFolder, jobName, "%A_%a.out", options.CpusPerTask,
                     options, own))
            s.AppendLine(line);
        s.Append($$"""
            set -u
            experiment={{Shell.Quote(experimentFolder)}}
            # Where `ablate run` was given, so relative data paths resolve as they did there.
            cd -- {{Shell.Quote(workingDirectory)}} || exit 2
            line=$((SLURM_ARRAY_TASK_ID + 1))
            run=$(sed -n "${line}p" "$experiment/slurm/tasks.txt")
            if [ -z "$run" ]; then
                echo "ablate: $experiment/slurm/tasks.txt has no line $line for task $SLURM_ARRAY_TASK_ID" >&2
                exit 2
            fi
            run="$experiment/$run"
            task="${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
            echo "ablate: task $task (restart ${SLURM_RESTART_COUNT:-0}) on $(hostname) at $(date '+%F %T'): $run"
            # This script is the trainer's parent, not an `ablate run` whose end should stop it.
            unset ABLATIONS_PARENT_PID
            warned=0
            trainer=
            trap 'warned=1; [ -n "$trainer" ] && kill -TERM "$trainer" 2>/dev/null' USR1
            trap '[ -n "$trainer" ] && kill -TERM "$trainer" 2>/dev/null' TERM INT
            {{Shell.Join(ablate)}} train "$run/config.yaml" --out "$run" --threads {{options.CpusPerTask.ToString(CultureInfo.InvariantCulture)}} --log "$run/train.log" &
            trainer=$!
            # A trapped signal interrupts wait: wait again until the trainer has saved its checkpoint and exited.
            while kill -0 "$trainer" 2>/dev/null; do wait "$trainer"; done
            wait "$trainer"
            code=$?
            if [ "$warned" = 1 ] && [ "$code" = 130 ]; then
                echo "ablate: the time limit is near and the checkpoint is saved: requeueing $task to resume on a later allocation"
                scontrol requeue "$task" && exit 0
            fi
            echo "ablate: task $task ended with exit code $code at $(date '+%F %T')"
            exit "$code"

            """);
        return s.ToString();
    }
}
