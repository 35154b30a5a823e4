using System.Text;

namespace Ablations.Cluster;

/// <summary>
/// The batch script of the job that continues an experiment once its array job has succeeded (slurm/next.sh,
/// submitted with --dependency=afterok on the array): it runs the same `ablate run --launcher slurm` again, which
/// submits a tuned experiment's remaining seeds at each variant's best value, or, when every run is complete,
/// writes the table and plots. A failed or cancelled task cancels it instead, so the experiment waits for a rerun.
/// </summary>
public static class SlurmFollowUpScript
{
    public static string Write(string experimentFolder, string jobName, SlurmOptions options, string workingDirectory, IReadOnlyList<string> command)
    {
        var s = new StringBuilder();
        s.AppendLine("#!/bin/bash");
        s.AppendLine("# Continues an experiment after its array job, written by `ablate run --launcher slurm`.");
        var lines = SbatchDirectives.Lines(experimentFolder, jobName, "next-%j.out", 1, options, Array.Empty<string>());
        foreach (var line in lines)
            s.AppendLine(line);
        s.AppendLine("unset ABLATIONS_PARENT_PID");
        s.AppendLine("cd -- " + Shell.Quote(workingDirectory) + " || exit 2");
        s.AppendLine("exec " + Shell.Join(command));
        return s.ToString();
    }
}
