using Ablations.Analysis;

namespace Ablations.Reporting;

/// <summary>One row of an experiment's table: a variant at a sweep point, over its seeds.</summary>
public sealed record TableRow
{
    public required string Variant { get; init; }
    public required string SweepPoint { get; init; }
    public required bool IsBaseline { get; init; }
    public required int Runs { get; init; }
    public required int Completed { get; init; }
    public required int Diverged { get; init; }
    public required long ParametersTotal { get; init; }
    public required long ParametersActive { get; init; }
    /// <summary>KV cache per token over all layers, bf16.</summary>
    public required long KvBytesPerToken { get; init; }
    /// <summary>Final validation loss over the finished seeds, a diverged one scored at its initial loss (null when none finished).</summary>
    public SampleSummary? ValLoss { get; init; }
    /// <summary>Final answer accuracy over the seeds on a recall task (a diverged seed at chance); null on other data.</summary>
    public SampleSummary? Accuracy { get; init; }
    public SampleSummary? Perplexity { get; init; }
    public SampleSummary? BitsPerByte { get; init; }
    /// <summary>This row's mean validation loss minus the baseline's at the same sweep point, with its test (uncorrected).</summary>
    public double? DeltaVsBaseline { get; init; }
    public double? PValue { get; init; }
    /// <summary>"paired" when this row and the baseline ran the same seeds, else "Welch".</summary>
    public string? Test { get; init; }
    /// <summary>Tuned experiments: this row is the variant's chosen grid point.</summary>
    public bool IsBest { get; init; }
    /// <summary>Tuned experiments, on the best row: learning-rate sensitivity over the grid, per tuning seed.</summary>
    public SampleSummary? LrSensitivity { get; init; }
    /// <summary>Forward FLOPs per token at the training context (matrix products and attention).</summary>
    public double FlopsPerToken { get; init; }
    /// <summary>Training tokens per non-embedding parameter.</summary>
    public double TokensPerParameter { get; init; }
    public required double TokensPerSecond { get; init; }
    /// <summary>What the runs trained in: fp32 or bf16 (as each summary, or config.yaml while running, says; "fp32/bf16" if seeds differ, as auto may choose).</summary>
    public string Precision { get; init; } = "fp32";
    public required double MaxGradNorm { get; init; }
    public double? MaxAttentionLogit { get; init; }
    /// <summary>MoE only: the busiest and idlest expert's share of routed assignments at the last step, mean over seeds (1/n_experts each when balanced).</summary>
    public double? ExpertLoadMax { get; init; }
    public double? ExpertLoadMin { get; init; }
    /// <summary>Loss spikes summed over the seeds.</summary>
    public required int LossSpikes { get; init; }
    /// <summary>Scored validation loss of each finished seed, in seed order, for anyone who wants to check the statistics.</summary>
    public required IReadOnlyList<double> SeedLosses { get; init; }
}
