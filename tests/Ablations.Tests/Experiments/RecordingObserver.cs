using Ablations.Experiments;
using Ablations.Training;

namespace Ablations.Tests.Experiments;

/// <summary>Keeps the runner's messages (and failures, prefixed "failed "), for tests that check what it said.</summary>
sealed class RecordingObserver(List<string> messages) : IExperimentObserver
{
    public void OnPlan(IReadOnlyList<RunSpec> runs, int alreadyDone, int jobs) { }
    public void OnRunStarted(RunSpec run) { }
    public void OnRunFinished(RunSpec run, RunSummary summary, TimeSpan took) { }
    public void OnRunFailed(RunSpec run, string message) => messages.Add("failed " + message);
    public void OnMessage(string message) => messages.Add(message);
}
