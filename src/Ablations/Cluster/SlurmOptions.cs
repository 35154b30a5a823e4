namespace Ablations.Cluster;

/// <summary>
/// What `ablate run --launcher slurm` asks of Slurm for each task: partition, time limit, CPUs (the trainer's
/// libtorch threads) and GPUs per task, how many tasks of the array may run at once, and any other sbatch options
/// (an account, a QoS, memory) passed through as written.
/// </summary>
public sealed record SlurmOptions
{
    public string? Partition { get; init; }
    /// <summary>As given (sbatch --time); null: the partition's default.</summary>
    public string? Time { get; init; }
    public int CpusPerTask { get; init; } = 1;
    public int? GpusPerTask { get; init; }
    /// <summary>At most this many tasks of an array at once (sbatch --array=...%K); null: as many as Slurm places.</summary>
    public int? ArrayParallelism { get; init; }
    public IReadOnlyList<string> SbatchArgs { get; init; } = Array.Empty<string>();

    /// <summary>The time limit, parsed; null when none was given or it is unlimited.</summary>
    public TimeSpan? TimeLimit => Time == null ? null : SlurmTime.Parse(Time);

    /// <summary>The --sbatch-arg values as the sbatch words they stand for.</summary>
    public IReadOnlyList<SbatchArgument> Arguments => SbatchArgs.Select(SbatchArgument.Parse).ToList();

    /// <summary>
    /// Refuses a time limit sbatch would not read, a partition or time no #SBATCH line can carry, and --sbatch-arg
    /// values that are not options, that set an option ablate sets itself, or that no #SBATCH line can carry.
    /// </summary>
    public void Check()
    {
        if (Partition != null) SbatchWord.Encode(Partition, "--partition", "the partition");
        if (Time != null) SbatchWord.Encode(Time, "--time", "the time limit");
        _ = TimeLimit;
        _ = Arguments;
    }
}
