using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>What the experiment runner reports: the plan, each run's start and end, failures.</summary>
public interface IExperimentObserver
{
    void OnPlan(IReadOnlyList<RunSpec> runs, int alreadyDone, int jobs);
    void OnRunStarted(RunSpec run);
    void OnRunFinished(RunSpec run, RunSummary summary, TimeSpan took);
    void OnRunFailed(RunSpec run, string message);
}
