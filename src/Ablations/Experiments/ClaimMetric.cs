namespace Ablations.Experiments;

/// <summary>
/// What a claim compares: final validation loss, final answer accuracy (val_accuracy: the share of scored tokens
/// predicted right, for synthetic tasks such as recall), the largest attention logit of a run, or the KV cache (analytic).
/// </summary>
public enum ClaimMetric { ValLoss, ValAccuracy, MaxAttnLogit, KvCache }
