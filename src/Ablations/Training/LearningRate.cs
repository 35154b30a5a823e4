using Ablations.Config;

namespace Ablations.Training;

/// <summary>
/// Learning rate at a step (1-based): linear warm-up, then constant, cosine decay to min_lr_ratio x lr, or
/// warmup-stable-decay (WSD: constant, then a linear decay over the last decay_fraction of the steps).
/// </summary>
public static class LearningRate
{
    public static double At(TrainConfig t, int step)
    {
        if (t.WarmupSteps > 0 && step <= t.WarmupSteps) return t.Lr * step / t.WarmupSteps;
        var min = t.Lr * t.MinLrRatio;
        switch (t.Schedule)
        {
            case LrSchedule.Constant:
                return t.Lr;
            case LrSchedule.Cosine:
            {
                var span = Math.Max(1, t.Steps - t.WarmupSteps);
                var progress = Math.Clamp((double)(step - t.WarmupSteps) / span, 0, 1);
                return min + 0.5 * (t.Lr - min) * (1 + Math.Cos(Math.PI * progress));
            }
            default:
            {
                var decaySteps = Math.Max(1, (int)Math.Round(t.Steps * t.DecayFraction));
                var decayStart = t.Steps - decaySteps;
                if (step <= decayStart) return t.Lr;
                var progress = Math.Clamp((double)(step - decayStart) / decaySteps, 0, 1);
                return t.Lr + (min - t.Lr) * progress;
            }
        }
    }
}
