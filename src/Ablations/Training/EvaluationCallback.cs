using Ablations.Config;
namespace Ablations.Training;

/// <summary>Adds validation loss, perplexity, bits per byte and accuracy to the row every eval_every steps and at the last step (not once diverged).</summary>
public sealed class EvaluationCallback(Evaluator evaluator, Model.Decoder model, TrainConfig train) : ITrainingCallback
{
    public MetricsRow OnStep(MetricsRow row, TrainerState state)
    {
        if (state.Diverged != null || (state.Step % train.EvalEvery != 0 && state.Step != train.Steps)) return row;
        var e = evaluator.Evaluate(model, final: state.Step == train.Steps);
        return row with { ValLoss = e.Loss, ValPerplexity = e.Perplexity, ValBitsPerByte = e.BitsPerByte, ValAccuracy = e.Accuracy };
    }
}
