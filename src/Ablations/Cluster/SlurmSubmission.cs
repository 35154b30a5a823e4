namespace Ablations.Cluster;

/// <summary>
/// One submission of an experiment to Slurm: the array job, the follow-up job that continues the experiment after
/// it, which phase it trains and the task indices it holds.
/// </summary>
public sealed record SlurmSubmission
{
    public required string ArrayJob { get; init; }
    public string? FollowUpJob { get; init; }
    /// <summary>"runs" (every run the file names; with tune, the grid), or "seeds" (a tuned experiment's remaining seeds at each variant's best).</summary>
    public required string Phase { get; init; }
    public required IReadOnlyList<int> Tasks { get; init; }
    public required DateTime Submitted { get; init; }
}
