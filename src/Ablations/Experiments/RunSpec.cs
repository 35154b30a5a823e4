using Ablations.Config;
using Ablations.Training;

namespace Ablations.Experiments;

/// <summary>One training run of an experiment: variant x sweep point x seed, with its resolved configuration and folder.</summary>
public sealed record RunSpec
{
    public required string Variant { get; init; }
    /// <summary>"" without a sweep, else e.g. "lr=0.003" (axes joined by ",").</summary>
    public required string SweepPoint { get; init; }
    public required IReadOnlyDictionary<string, string> SweepValues { get; init; }
    public required int Seed { get; init; }
    public required RunConfig Config { get; init; }
    /// <summary>Folder relative to the experiment folder: variant[/sweep point]/seed-n.</summary>
    public required string Folder { get; init; }

    public string Label => SweepPoint.Length == 0 ? $"{Variant}/seed-{Seed}" : $"{Variant}/{SweepPoint}/seed-{Seed}";
}
