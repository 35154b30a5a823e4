using System.Diagnostics;
using Ablations.Cluster;

namespace Ablations.Tests.Cluster;

/// <summary>The Slurm cluster the integration tests submit to, asked through its own commands (squeue, scancel, sinfo).</summary>
public static class SlurmCluster
{
    /// <summary>
    /// tests/cluster/start-slurm.sh, run once per test run: it installs Debian's slurm-wlm and munge where missing and
    /// starts a one-node cluster (as root; a cluster that already answers is left as it is), so the README's test
    /// command needs nothing started beforehand. Its exit code and output, for the message of a test that fails.
    /// </summary>
    static readonly Lazy<string> Started = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    static string Start()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repo.Path("tests", "cluster", "start-slurm.sh"));
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return $"tests/cluster/start-slurm.sh exited {process.ExitCode}: {(stdout.Result + stderr.Result).Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e) { return $"tests/cluster/start-slurm.sh could not run: {e.Message}"; }
    }

    /// <summary>Starts the cluster when none answers; fails, saying why, unless sbatch is on PATH and a node takes jobs.</summary>
    public static void Require()
    {
        var started = Started.Value;
        Assert.True(SlurmClient.FindSbatch() != null, $"no sbatch on PATH; {started}");
        var (code, nodes) = Command("sinfo", "-h", "-N", "-o", "%t");
        Assert.True(code == 0 && nodes.Split('\n').Any(s => s.StartsWith("idle") || s.StartsWith("mix") || s.StartsWith("alloc")),
            $"no Slurm node takes jobs (sinfo: {nodes.Trim()}); {started}");
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
