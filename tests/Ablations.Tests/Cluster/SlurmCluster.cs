using System.Diagnostics;
using Ablations.Cluster;

namespace Ablations.Tests.Cluster;

/// <summary>The Slurm cluster the integration tests submit to, asked through its own commands (squeue, scancel, sinfo).</summary>
public static class SlurmCluster
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fails, saying what to do, unless sbatch is on PATH and the cluster has a node that takes jobs.</summary>
    public static void Require()
    {
        if (SlurmClient.FindSbatch() == null)
            Assert.Fail("CI=true and no sbatch on PATH: the Slurm tests must run in CI; .ci/run starts a one-node cluster with tests/cluster/start-slurm.sh");
        var (code, nodes) = Command("sinfo", "-h", "-N", "-o", "%t");
        Assert.True(code == 0 && nodes.Split('\n').Any(s => s.StartsWith("idle") || s.StartsWith("mix") || s.StartsWith("alloc")),
            $"sbatch is on PATH but no Slurm node takes jobs (sinfo: {nodes.Trim()}); start one with tests/cluster/start-slurm.sh");
    }

    /// <summary>Runs a Slurm command; its exit code and output (standard output and error together).</summary>
    public static (int Code, string Output) Command(string name, params string[] args)
    {
        var start = new ProcessStartInfo(name) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The ids of the jobs named <paramref name="jobName"/> that are pending or running.</summary>
    public static IReadOnlyList<string> Active(string jobName)
    {
        var (code, output) = Command("squeue", "-h", "-r", $"--name={jobName}", "-o", "%i");
        Assert.True(code == 0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Waits until no job named <paramref name="jobName"/> is pending or running (a requeued task waits for its credential to expire).</summary>
    public static void WaitUntilDone(string jobName, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (Active(jobName).Count > 0)
        {
            Assert.True(watch.Elapsed < timeout, $"jobs {string.Join(", ", Active(jobName))} still queued after {timeout.TotalSeconds:F0} s");
            Thread.Sleep(500);
        }
    }

    /// <summary>Cancels every job of the experiments under <paramref name="folder"/>, so a failed test leaves nothing queued.</summary>
    public static void CancelUnder(string folder)
    {
        if (SlurmClient.FindSbatch() == null || !Directory.Exists(folder)) return;
        foreach (var log in Directory.GetFiles(folder, "jobs.json", SearchOption.AllDirectories))
            if (SlurmJobLog.Read(Path.GetDirectoryName(Path.GetDirectoryName(log))!) is { } jobs)
                Command("scancel", $"--name={jobs.JobName}");
    }
}
