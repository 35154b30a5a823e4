namespace Ablations.Training;

/// <summary>
/// What one optimiser step measured: the mean cross-entropy over its micro-batches, the MoE balance loss, the
/// largest attention logit (on logging steps), the gradient norm before clipping, and the smallest and largest
/// share of routed assignments an expert got (1/n_experts when balanced).
/// </summary>
public sealed record StepResult(double Loss, double? AuxLoss, double? MaxAttentionLogit, double GradNorm, double? ExpertLoadMin, double? ExpertLoadMax);
