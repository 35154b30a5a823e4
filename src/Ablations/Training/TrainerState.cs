namespace Ablations.Training;

/// <summary>What a checkpoint records besides the weights and the optimiser: where the run is.</summary>
public sealed record TrainerState
{
    /// <summary>Optimiser steps done; the data position too, since each step's batches depend only on (seed, step).</summary>
    public int Step { get; init; }
    public long Tokens { get; init; }
    public double WallSeconds { get; init; }
    /// <summary>The divergence guard's running minimum of the training loss.</summary>
    public double MinLoss { get; init; } = double.PositiveInfinity;
}
