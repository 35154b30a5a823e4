using Ablations.Training;

namespace Ablations.Tests.Training;

/// <summary>Keeps every message the trainer says (warnings, fallbacks, resumptions).</summary>
public sealed class MessageLog : ITrainingObserver
{
    public List<string> All { get; } = new();
    public void OnStart(int firstStep, int totalSteps, string description) { }
    public void OnStep(MetricsRow row, int totalSteps) { }
    public void OnMessage(string message) { lock (All) All.Add(message); }
}

/// <summary>Cancels training (as Ctrl-C does) once the given step is done: the trainer checkpoints before the next.</summary>
public sealed class CancelAfter(int step, CancellationTokenSource cancel) : ITrainingObserver
{
    public void OnStart(int firstStep, int totalSteps, string description) { }
    public void OnStep(MetricsRow row, int totalSteps) { if (row.Step == step) cancel.Cancel(); }
    public void OnMessage(string message) { }
}
