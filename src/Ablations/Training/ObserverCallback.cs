namespace Ablations.Training;

/// <summary>Passes each step's row to the observer (a progress bar, log lines, a test).</summary>
public sealed class ObserverCallback(ITrainingObserver observer, int totalSteps) : ITrainingCallback
{
    public MetricsRow OnStep(MetricsRow row, TrainerState state)
    {
        observer.OnStep(row, totalSteps);
        return row;
    }
}
