using Ablations.Experiments;

namespace Ablations.Cluster;

/// <summary>
/// One run of an experiment on Slurm: its folder's progress, its state, the array task that last held it ("12_3")
/// with what the queue or the accounting says of it, and the Slurm log of that task.
/// </summary>
public sealed record SlurmRunStatus(RunProgress Progress, SlurmRunState State, string? Task, string? Detail, string? TaskLog);
