namespace Ablations.Experiments;

/// <summary>
/// One phase of an experiment as a cluster submits it: its runs, and those of them not yet complete. The first phase
/// is every run the file names (with tune, the grid on the tuning seeds); a tuned experiment's second phase,
/// <see cref="Completion"/>, is the remaining seeds at each variant's best grid point.
/// </summary>
public sealed record ExperimentPhase(bool Completion, IReadOnlyList<RunSpec> Runs, IReadOnlyList<RunSpec> Pending);
