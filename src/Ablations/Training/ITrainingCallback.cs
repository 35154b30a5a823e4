namespace Ablations.Training;

/// <summary>
/// Something the training loop calls after every step, in order (OLMo-core's callbacks): evaluation, the metrics
/// sinks, the console, checkpoints. A callback may add to the step's row (evaluation adds the validation
/// columns) before the later ones see it.
/// </summary>
public interface ITrainingCallback
{
    /// <summary>After each optimiser step, with the state that includes it.</summary>
    MetricsRow OnStep(MetricsRow row, TrainerState state) => row;

    /// <summary>The run was interrupted (Ctrl-C) after <paramref name="state"/>'s step.</summary>
    void OnInterrupt(TrainerState state) { }
}
