using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>What the experiment runner reports: the plan, each run's start and end, failures.</summary>
public interface IExperimentObserver
{
    void OnPlan(IReadOnlyList<RunSpec> runs, int alreadyDone, int jobs);
    void OnRunStarted(RunSpec run);
    void OnRunFinished(RunSpec run, RunSummary summary, TimeSpan took);
    void OnRunFailed(RunSpec run, string message);
    /// <summary>Anything else worth a line: a tuned variant's chosen value, a best value on the grid's edge.</summary>
    void OnMessage(string message) { }
}
