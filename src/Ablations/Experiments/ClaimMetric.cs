namespace Ablations.Experiments;

/// <summary>What a claim compares: final validation loss, the largest attention logit of a run, or the KV cache (analytic).</summary>
public enum ClaimMetric { ValLoss, MaxAttnLogit, KvCache }
