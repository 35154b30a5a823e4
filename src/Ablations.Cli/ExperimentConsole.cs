using Ablations.Common;
using System.Diagnostics;
using Ablations.Experiments;
using Ablations.Training;

namespace Ablations.Cli;

/// <summary>
/// Progress of an `ablate run`: which runs are done, running and left, and an estimate of the time left from
/// the runs finished so far. One line per event, which reads the same on a terminal and in a log.
/// </summary>
public sealed class ExperimentConsole : IExperimentObserver
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly List<TimeSpan> _durations = new();
    int _total, _done, _running, _jobs = 1;

    public void OnPlan(IReadOnlyList<RunSpec> runs, int alreadyDone, int jobs)
    {
        _total = runs.Count;
        _done = alreadyDone;
        _jobs = jobs;
        var variants = runs.Select(r => r.Variant).Distinct().Count();
        var points = runs.Select(r => r.SweepPoint).Distinct().Count();
        var seeds = runs.Select(r => r.Seed).Distinct().Count();
        Console.WriteLine($"{_total} runs ({variants} variants x {points} sweep points x {seeds} seeds): {alreadyDone} already complete, " +
                          $"{_total - alreadyDone} to run with {Units.Counted(jobs, "job")}");
    }

    public void OnMessage(string message) => Console.WriteLine(message);

    public void OnRunStarted(RunSpec run)
    {
        _running++;
        Console.WriteLine($"  start  {run.Label}");
    }

    public void OnRunFinished(RunSpec run, RunSummary summary, TimeSpan took)
    {
        _running--;
        _done++;
        _durations.Add(took);
        var result = summary.Status == RunStatus.Completed ? $"val loss {summary.FinalValLoss:F4}" : $"DIVERGED ({summary.DivergedReason})";
        Console.WriteLine($"  done   {run.Label}: {result} in {took.TotalSeconds:F0} s  [{_done}/{_total} done, {_running} running, {_total - _done - _running} left{Remaining()}]");
    }

    public void OnRunFailed(RunSpec run, string message)
    {
        _running--;
        Console.WriteLine($"  FAILED {run.Label}: {message}");
    }

    string Remaining()
    {
        var left = _total - _done;
        if (left == 0 || _durations.Count == 0) return "";
        var mean = _durations.Average(d => d.TotalSeconds);
        var seconds = mean * left / _jobs;
        return seconds >= 90 ? $", about {seconds / 60:F0} min left" : $", about {seconds:F0} s left";
    }
}
