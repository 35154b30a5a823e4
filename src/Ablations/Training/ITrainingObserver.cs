using Ablations.Data;

namespace Ablations.Training;

/// <summary>How the trainer tells the outside world (a progress bar, log lines, a test) what it is doing.</summary>
public interface ITrainingObserver
{
    void OnStart(int firstStep, int totalSteps, string description);
    void OnStep(MetricsRow row, int totalSteps);
    void OnMessage(string message);
    /// <summary>How a long pass over the data (hashing, tokenising, checking token files) goes, before training starts.</summary>
    void OnDataProgress(DataProgress progress) { }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class SilentObserver : ITrainingObserver
{
    public void OnStart(int firstStep, int totalSteps, string description) { }
    public void OnStep(MetricsRow row, int totalSteps) { }
    public void OnMessage(string message) { }
}
