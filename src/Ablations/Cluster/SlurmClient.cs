using System.Diagnostics;
using Ablations.Config;

namespace Ablations.Cluster;

/// <summary>
/// Slurm's client commands (sbatch, squeue, sacct, sinfo, scontrol) run as processes, their output read back. Found
/// on PATH as a user's shell would find them; nothing here talks to Slurm any other way.
/// </summary>
public sealed class SlurmClient
{
    readonly string _bin;

    SlurmClient(string bin) => _bin = bin;

    /// <summary>The folder that holds sbatch on PATH, or null when there is none (Slurm is not installed here).</summary>
    public static string? FindSbatch()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "sbatch");
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & UnixFileMode.UserExecute) != 0))
                return dir;
        }
        return null;
    }

    /// <summary>The client beside the sbatch on PATH; without one, bad input that says so.</summary>
    public static SlurmClient Find() =>
        FindSbatch() is { } bin ? new SlurmClient(bin)
            : throw new ConfigException("no sbatch on PATH: submitting to Slurm needs its client commands (run on a login node of the cluster, or leave out --launcher slurm)", key: "--launcher");

    /// <summary>The partitions this cluster has (sinfo), for a clear refusal of an unknown --partition.</summary>
    public IReadOnlyList<string> Partitions() =>
        Run("sinfo", "-h", "-o", "%R").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    /// <summary>Refuses a partition Slurm does not know, naming those it does.</summary>
    public void CheckPartition(string partition)
    {
        var known = Partitions();
        if (!known.Contains(partition))
            throw new ConfigException($"Slurm has no partition '{partition}'; partitions: {(known.Count == 0 ? "none" : string.Join(", ", known))}", key: "--partition");
    }

    /// <summary>Submits <paramref name="script"/> with extra command-line options; returns the job id.</summary>
    public string Submit(string script, IEnumerable<string> options)
    {
        string output;
        try { output = Run("sbatch", options.Append("--parsable").Append(script).ToArray()); }
        catch (SlurmException e) when (!e.Message.Contains("Unable to contact", StringComparison.OrdinalIgnoreCase))
        {
            // sbatch read the request and said no (resources the cluster lacks, an option it does not know): bad input.
            throw new ConfigException($"sbatch refused the job: {e.Line}");
        }
        var id = output.Trim().Split(';')[0];   // "id" or "id;cluster"
        if (id.Length == 0 || !id.All(char.IsAsciiDigit)) throw new SlurmException($"sbatch answered '{output.Trim()}' instead of a job id");
        return id;
    }

    /// <summary>Every job named <paramref name="jobName"/> that the controller still knows, array tasks one per entry (squeue).</summary>
    public IReadOnlyList<SlurmQueueEntry> Queue(string jobName) =>
        SlurmQueueEntry.Parse(Run("squeue", "-h", "-r", "--states=all", $"--name={jobName}", $"--format={SlurmQueueEntry.Format}"));

    /// <summary>The jobs named <paramref name="jobName"/> that are pending or running, other than the job this process runs in (a follow-up).</summary>
    public IReadOnlyList<SlurmQueueEntry> ActiveJobs(string jobName)
    {
        var own = Environment.GetEnvironmentVariable("SLURM_JOB_ID");
        return Queue(jobName).Where(e => e.IsActive && e.JobId != own).ToList();
    }

    /// <summary>
    /// The accounting records of these array jobs' tasks (sacct), or null where the cluster keeps no accounting
    /// (or sacct fails): status then rests on squeue and the run folders.
    /// </summary>
    public IReadOnlyList<SlurmAccountingEntry>? Accounting(IEnumerable<string> arrayJobs)
    {
        var ids = string.Join(',', arrayJobs);
        if (ids.Length == 0) return Array.Empty<SlurmAccountingEntry>();
        try { return SlurmAccountingEntry.Parse(Run("sacct", "-n", "-P", "-X", "-j", ids, $"--format={SlurmAccountingEntry.Format}")); }
        catch (SlurmException) { return null; }
    }

    /// <summary>Runs one client command; its standard output, or a <see cref="SlurmException"/> naming it with its error line.</summary>
    string Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(_bin, command)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start) ?? throw new SlurmException($"{command} could not be started"); }
        catch (System.ComponentModel.Win32Exception e) { throw new SlurmException($"{command} could not be started ({e.Message})"); }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new SlurmException($"{command} did not answer within a minute (is slurmctld running?)");
            }
            if (process.ExitCode != 0)
            {
                var line = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {process.ExitCode}";
                throw new SlurmException(command, line);
            }
            return stdout.Result;
        }
    }
}
