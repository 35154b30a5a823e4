namespace Ablations.Config;

public enum LrSchedule { Constant, Cosine, Wsd }

public enum DeviceChoice { Auto, Cpu, Cuda }

/// <summary>How to train: optimiser, schedule, batch, evaluation, checkpoints, seed and device.</summary>
public sealed record TrainConfig : IValidatable
{
    public int Steps { get; init; } = 200;
    public int BatchSize { get; init; } = 16;
    /// <summary>Tokens per training sequence; at most model.context_length. 0 = model.context_length.</summary>
    public int Context { get; init; }
    public int GradAccum { get; init; } = 1;
    public double Lr { get; init; } = 3e-3;
    /// <summary>Final learning rate as a share of lr (cosine and wsd).</summary>
    public double MinLrRatio { get; init; } = 0.1;
    public LrSchedule Schedule { get; init; } = LrSchedule.Cosine;
    public int WarmupSteps { get; init; } = 20;
    /// <summary>wsd: share of the steps spent in the final linear decay.</summary>
    public double DecayFraction { get; init; } = 0.2;
    public double WeightDecay { get; init; } = 0.1;
    /// <summary>Apply weight decay to embeddings, norm gains and biases too (default: matrices only).</summary>
    public bool DecayAll { get; init; }
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.95;
    public double Eps { get; init; } = 1e-8;
    /// <summary>Clip the global gradient norm to this value; 0 = no clipping.</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>PaLM's z-loss coefficient on log(Z)^2 of the output softmax; 0 = off.</summary>
    public double ZLoss { get; init; }
    public int EvalEvery { get; init; } = 50;
    /// <summary>Batches of the fixed validation set used by the evaluations along the way (evenly spread over it).</summary>
    public int EvalBatches { get; init; } = 8;
    /// <summary>
    /// Batches of the fixed validation set, all of them used by the final evaluation (the number tables and claims
    /// compare). The set depends only on the data, the sequence length and eval_batch_size, so every run of an
    /// experiment that shares those is judged on the same tokens.
    /// </summary>
    public int FinalEvalBatches { get; init; } = 64;
    /// <summary>Sequences per validation batch, apart from the training batch size so the validation set does not move with it.</summary>
    public int EvalBatchSize { get; init; } = 16;
    public int LogEvery { get; init; } = 10;
    /// <summary>Steps between checkpoints; 0 = only at the end.</summary>
    public int CheckpointEvery { get; init; } = 100;
    public int Seed { get; init; }
    public DeviceChoice Device { get; init; } = DeviceChoice.Auto;
    /// <summary>
    /// fp32, bf16 (mixed precision: bf16 matrix products and attention, fp32 weights, optimiser state, norms,
    /// softmax and loss) or auto (bf16 where the device has fast bf16 and it measured faster for this model).
    /// </summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>CPU threads for libtorch; 0 = leave libtorch's default.</summary>
    public int Threads { get; init; }
    /// <summary>Stop as diverged when the smoothed loss (about ten steps) exceeds its running minimum by this many nats, or the loss is not finite.</summary>
    public double DivergenceNats { get; init; } = 3.0;

    // Ranges on numbers are written as the negation of what is allowed, so that NaN (which fails every
    // comparison) is refused too when a record is built in code rather than bound from YAML.
    public IEnumerable<ConfigError> Validate()
    {
        if (Steps <= 0) yield return new("steps", $"must be positive, got {Steps}");
        if (BatchSize <= 0) yield return new("batch_size", $"must be positive, got {BatchSize}");
        if (Context < 0) yield return new("context", $"must be 0 (model.context_length) or positive, got {Context}");
        if (GradAccum <= 0) yield return new("grad_accum", $"must be positive, got {GradAccum}");
        if (!(Lr > 0)) yield return new("lr", $"must be positive, got {Lr}");
        if (!(MinLrRatio >= 0 && MinLrRatio <= 1)) yield return new("min_lr_ratio", $"must be in [0, 1], got {MinLrRatio}");
        if (WarmupSteps < 0) yield return new("warmup_steps", $"must be 0 or more, got {WarmupSteps}");
        else if (Steps > 0 && WarmupSteps > Steps)
            yield return new("warmup_steps", $"{WarmupSteps} is longer than the run's {Steps} steps, so the learning rate would never reach lr; " +
                                             "set warmup_steps to at most steps (a scale that shortens steps shortens warm-up too)");
        if (!(DecayFraction > 0 && DecayFraction <= 1)) yield return new("decay_fraction", $"must be in (0, 1], got {DecayFraction}");
        if (!(WeightDecay >= 0)) yield return new("weight_decay", $"must be 0 or more, got {WeightDecay}");
        if (!(Beta1 >= 0 && Beta1 < 1)) yield return new("beta1", $"must be in [0, 1), got {Beta1}");
        if (!(Beta2 >= 0 && Beta2 < 1)) yield return new("beta2", $"must be in [0, 1), got {Beta2}");
        if (!(Eps > 0)) yield return new("eps", $"must be positive, got {Eps}");
        if (!(GradClip >= 0)) yield return new("grad_clip", $"must be 0 (off) or positive, got {GradClip}");
        if (!(ZLoss >= 0)) yield return new("z_loss", $"must be 0 (off) or positive, got {ZLoss}");
        if (EvalEvery <= 0) yield return new("eval_every", $"must be positive, got {EvalEvery}");
        if (EvalBatches <= 0) yield return new("eval_batches", $"must be positive, got {EvalBatches}");
        if (FinalEvalBatches <= 0) yield return new("final_eval_batches", $"must be positive, got {FinalEvalBatches}");
        else if (EvalBatches > FinalEvalBatches)
            yield return new("eval_batches", $"{EvalBatches} is more than final_eval_batches = {FinalEvalBatches}: the evaluations along the way use a part of the final validation set");
        if (EvalBatchSize <= 0) yield return new("eval_batch_size", $"must be positive, got {EvalBatchSize}");
        else if (FinalEvalBatches > 0 && SizeLimits.Product("final_eval_batches", "validation sequences", SizeLimits.Sequences,
                     ("final_eval_batches", FinalEvalBatches), ("eval_batch_size", EvalBatchSize)) is { } evalTooBig) yield return evalTooBig;
        if (BatchSize > 0 && GradAccum > 0 && SizeLimits.Product("batch_size", "sequences per step", SizeLimits.Sequences,
                ("batch_size", BatchSize), ("grad_accum", GradAccum)) is { } stepTooBig) yield return stepTooBig;
        if (LogEvery <= 0) yield return new("log_every", $"must be positive, got {LogEvery}");
        if (CheckpointEvery < 0) yield return new("checkpoint_every", $"must be 0 (end only) or positive, got {CheckpointEvery}");
        if (Threads < 0) yield return new("threads", $"must be 0 (default) or positive, got {Threads}");
        if (!(DivergenceNats > 0)) yield return new("divergence_nats", $"must be positive, got {DivergenceNats}");
    }
}
