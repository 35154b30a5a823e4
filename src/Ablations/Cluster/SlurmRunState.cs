namespace Ablations.Cluster;

/// <summary>
/// A run of an experiment submitted to Slurm: done (complete or diverged, as its folder says), running or pending
/// in the queue (pending also while it waits for a job of the experiment to submit it: a tuned experiment's seeds),
/// failed (submitted, no longer queued, not complete), or never submitted.
/// </summary>
public enum SlurmRunState { Done, Running, Pending, Failed, NotSubmitted }
