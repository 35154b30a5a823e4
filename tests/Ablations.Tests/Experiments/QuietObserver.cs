using Ablations.Experiments;
using Ablations.Training;

namespace Ablations.Tests.Experiments;

/// <summary>An experiment observer for tests: prints nothing and turns a failed run into a test failure.</summary>
public sealed class QuietObserver : IExperimentObserver
{
    public void OnPlan(IReadOnlyList<RunSpec> runs, int alreadyDone, int jobs) { }
    public void OnRunStarted(RunSpec run) { }
    public void OnRunFinished(RunSpec run, RunSummary summary, TimeSpan took) { }
    public void OnRunFailed(RunSpec run, string message) => throw new Xunit.Sdk.XunitException($"{run.Label}: {message}");
}
