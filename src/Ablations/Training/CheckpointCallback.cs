using Ablations.Config;
using Ablations.Model;
using TorchSharp.Modules;

namespace Ablations.Training;

/// <summary>Saves the checkpoint every checkpoint_every steps, at the last step, and when the run is interrupted (not once diverged).</summary>
public sealed class CheckpointCallback(string runFolder, Decoder model, AdamW optimizer, TrainConfig train) : ITrainingCallback
{
    public MetricsRow OnStep(MetricsRow row, TrainerState state)
    {
        if (state.Diverged == null && ((train.CheckpointEvery > 0 && state.Step % train.CheckpointEvery == 0) || state.Step == train.Steps))
            Checkpoint.Save(runFolder, model, optimizer, state);
        return row;
    }

    public void OnInterrupt(TrainerState state) => Checkpoint.Save(runFolder, model, optimizer, state);
}
