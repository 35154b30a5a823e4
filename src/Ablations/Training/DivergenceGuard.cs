namespace Ablations.Training;

/// <summary>
/// Declares a run diverged when its training loss is not finite, or when its smoothed loss (an exponential moving
/// average over about ten steps) rises divergence_nats above the lowest smoothed value so far. Smoothing keeps a
/// single bad batch, or an early spike a healthy run recovers from, from ending a run; a loss that stays high does.
/// Its state lives in <see cref="TrainerState"/>, so a resumed run judges exactly as an uninterrupted one.
/// </summary>
public static class DivergenceGuard
{
    /// <summary>Weight of the history in the moving average (about ten steps).</summary>
    public const double Smoothing = 0.9;

    /// <summary>The state after one more step's loss, with the reason when the run diverged at it.</summary>
    public static TrainerState Check(TrainerState state, double loss, double nats)
    {
        if (!double.IsFinite(loss)) return state with { Diverged = $"training loss is {loss}" };
        var smoothed = double.IsNaN(state.SmoothedLoss) ? loss : Smoothing * state.SmoothedLoss + (1 - Smoothing) * loss;
        var minimum = Math.Min(state.MinLoss, smoothed);
        var diverged = smoothed > minimum + nats
            ? $"smoothed training loss {smoothed:F3} is more than {nats} nats above its minimum {minimum:F3}"
            : null;
        return state with { SmoothedLoss = smoothed, MinLoss = minimum, Diverged = diverged };
    }
}
