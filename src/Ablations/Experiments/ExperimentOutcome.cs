namespace Ablations.Experiments;

/// <summary>How an `ablate run` ended: runs trained now, skipped as already complete, failed, and whether it was interrupted.</summary>
public sealed record ExperimentOutcome(int Trained, int Skipped, IReadOnlyList<string> Failed, bool Interrupted);
