using Ablations.Config;

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

    /// <summary>Options that ablate itself sets in the scripts it writes; giving them again would break the array.</summary>
    static readonly string[] Owned = { "--array", "-a", "--job-name", "-J", "--output", "-o", "--error", "-e", "--chdir", "-D", "--wrap",
        "--open-mode", "--dependency", "-d", "--signal", "--cpus-per-task", "-c", "--partition", "-p", "--time", "-t", "--gpus-per-task", "--parsable" };

    /// <summary>The time limit, parsed; null when none was given or it is unlimited.</summary>
    public TimeSpan? TimeLimit => Time == null ? null : SlurmTime.Parse(Time);

    /// <summary>Refuses a time limit sbatch would not read and --sbatch-arg values that are not options or that ablate sets itself.</summary>
    public void Check()
    {
        _ = TimeLimit;
        foreach (var arg in SbatchArgs)
        {
            if (arg.Contains('\n') || arg.Contains('\r'))
                throw new ConfigException("an sbatch option is one line", key: "--sbatch-arg");
            if (!arg.StartsWith('-'))
                throw new ConfigException($"'{arg}' is not an sbatch option (write it as --sbatch-arg=--name=value)", key: "--sbatch-arg");
            // --name=value, --name value, -x value or -xvalue
            var name = arg.StartsWith("--") ? arg.Split('=', 2)[0].Split(' ', 2)[0] : arg[..Math.Min(2, arg.Length)];
            if (Owned.Contains(name))
                throw new ConfigException($"'{arg}' is set by ablate itself{(Replacement(name) is { } r ? $"; use {r}" : "")}", key: "--sbatch-arg");
        }
    }

    static string? Replacement(string name) => name switch
    {
        "--cpus-per-task" or "-c" => "--cpus-per-task",
        "--partition" or "-p" => "--partition",
        "--time" or "-t" => "--time",
        "--gpus-per-task" => "--gpus-per-task",
        "--array" or "-a" => "--array-parallelism for the %K part",
        _ => null,
    };
}
