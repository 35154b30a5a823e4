namespace Ablations.Experiments;

/// <summary>
/// A claim of the article or a paper that an experiment tests: variant A's metric compared with variant B's
/// (optionally at one sweep point). The report turns it into a verdict from the seeds' numbers.
/// </summary>
/// <param name="Expect">lower, higher or similar: what the claim says A's value is, relative to B's.</param>
/// <param name="Metric">val_loss (final validation loss), max_attn_logit (largest attention logit of a run) or kv_cache (per token, analytic).</param>
public sealed record ClaimSpec(string Text, string A, string B, string Expect, string Metric, string At);
