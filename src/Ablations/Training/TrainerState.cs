namespace Ablations.Training;

/// <summary>
/// Where a run is, updated once per step by the loop and saved with every checkpoint from that one value, so a
/// checkpoint written on Ctrl-C holds the same fields as a scheduled one.
/// </summary>
public sealed record TrainerState
{
    /// <summary>Optimiser steps done; the data position too, since each step's batches depend only on (seed, step).</summary>
    public int Step { get; init; }
    public long Tokens { get; init; }
    public double WallSeconds { get; init; }
    /// <summary>The divergence guard's moving average of the training loss (NaN before the first step).</summary>
    public double SmoothedLoss { get; init; } = double.NaN;
    /// <summary>The divergence guard's running minimum of the smoothed training loss.</summary>
    public double MinLoss { get; init; } = double.PositiveInfinity;
    /// <summary>libtorch threads the run trains on (0: recorded by an older version); a resume keeps them.</summary>
    public int Threads { get; init; }
    /// <summary>The precision the run trains in, fp32 or bf16, as resolved at its start (null: recorded by an older version, fp32); a resume keeps it.</summary>
    public string? Precision { get; init; }
    /// <summary>Why the run diverged at this step; null while healthy.</summary>
    public string? Diverged { get; init; }
}
