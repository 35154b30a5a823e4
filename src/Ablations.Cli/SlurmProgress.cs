using System.Globalization;
using Ablations.Cluster;

namespace Ablations.Cli;

/// <summary>
/// `ablate run --launcher slurm --wait`: a progress bar over the submitted experiments, fed by their run folders and
/// squeue every two seconds (done, running, pending, failed, and the running trainers' tokens per second), until
/// none of their jobs is queued or running. Ctrl-C stops the waiting, never the jobs. On a terminal the bar redraws
/// in place; in a log a line is written when the counts change.
/// </summary>
public static class SlurmProgress
{
    static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    /// <summary>True when every job ended; false when Ctrl-C stopped the waiting.</summary>
    public static bool Wait(SlurmClient slurm, IReadOnlyList<string> folders)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        var interactive = !Console.IsOutputRedirected;
        var last = "";
        var failures = 0;
        try
        {
            while (true)
            {
                if (cancel.IsCancellationRequested) return Stopped(interactive);
                IReadOnlyList<SlurmExperimentStatus> states;
                try
                {
                    // Read on the side: a controller slow to answer (each command may take up to a minute, as when it is
                    // busy cancelling) must not hold up Ctrl-C, which stops the waiting at once.
                    var read = Task.Run(() => (IReadOnlyList<SlurmExperimentStatus>)folders.Select(f => SlurmExperimentStatus.Read(f, slurm)).OfType<SlurmExperimentStatus>().ToList());
                    try { Task.WaitAny(new Task[] { read }, cancel.Token); }
                    catch (OperationCanceledException) { return Stopped(interactive); }
                    states = read.GetAwaiter().GetResult();
                    failures = 0;
                }
                catch (SlurmException e) when (++failures < 30)
                {
                    // A controller busy for a moment: ask again, and give up only after a minute of failures.
                    Console.Error.WriteLine($"warning: {e.Message}; asking again");
                    cancel.Token.WaitHandle.WaitOne(Poll);
                    continue;
                }
                var line = Line(states);
                if (interactive) Console.Write($"\r{line}\u001b[K");
                else if (Counts(line) != Counts(last)) Console.WriteLine(line);
                last = line;
                if (states.All(s => s.Finished)) break;
                cancel.Token.WaitHandle.WaitOne(Poll);
            }
            if (interactive) Console.WriteLine();
            return true;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    static bool Stopped(bool interactive)
    {
        if (interactive) Console.WriteLine();
        Console.WriteLine("stopped waiting; the jobs go on in Slurm: `ablate status` follows them, rerunning with --wait waits again");
        return false;
    }

    static string Line(IReadOnlyList<SlurmExperimentStatus> states)
    {
        var runs = states.SelectMany(s => s.Runs).ToList();
        int Count(SlurmRunState state) => runs.Count(r => r.State == state);
        var done = Count(SlurmRunState.Done);
        var speed = runs.Where(r => r.State == SlurmRunState.Running).Sum(r => r.Progress.TokensPerSecond ?? 0);
        const int width = 24;
        var filled = runs.Count == 0 ? 0 : done * width / runs.Count;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', width - filled)}] {done}/{runs.Count} done, {Count(SlurmRunState.Running)} running, " +
            $"{Count(SlurmRunState.Pending)} pending, {Count(SlurmRunState.Failed)} failed | {speed:F0} tok/s");
    }

    /// <summary>The line without its speed, which changes every poll.</summary>
    static string Counts(string line) => line.Split('|')[0];
}
