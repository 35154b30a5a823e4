using CsvHelper.Configuration.Attributes;

namespace Ablations.Training;

/// <summary>One optimiser step in metrics.csv. Optional columns are empty on steps that did not measure them.</summary>
public sealed record MetricsRow
{
    [Name("step")] public int Step { get; init; }
    [Name("tokens")] public long Tokens { get; init; }
    [Name("lr")] public double Lr { get; init; }
    [Name("train_loss")] public double TrainLoss { get; init; }
    [Name("grad_norm")] public double GradNorm { get; init; }
    /// <summary>Largest pre-softmax attention logit (measured every log_every steps).</summary>
    [Name("max_attn_logit")] public double? MaxAttnLogit { get; init; }
    [Name("moe_aux_loss")] public double? MoeAuxLoss { get; init; }
    /// <summary>Smallest and largest share of routed assignments an expert got (1/n_experts when balanced).</summary>
    [Name("expert_load_min")] public double? ExpertLoadMin { get; init; }
    [Name("expert_load_max")] public double? ExpertLoadMax { get; init; }
    [Name("tokens_per_s")] public double TokensPerSecond { get; init; }
    [Name("wall_s")] public double WallSeconds { get; init; }
    [Name("val_loss")] public double? ValLoss { get; init; }
    [Name("val_ppl")] public double? ValPerplexity { get; init; }
    [Name("val_bpb")] public double? ValBitsPerByte { get; init; }
    /// <summary>Share of scored validation tokens whose most likely prediction is right (a synthetic task's answer accuracy).</summary>
    [Name("val_acc")] public double? ValAccuracy { get; init; }
}
