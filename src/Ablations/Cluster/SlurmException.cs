namespace Ablations.Cluster;

/// <summary>A Slurm command that failed: its name and the last line it printed, for a one-line error.</summary>
public sealed class SlurmException : Exception
{
    public SlurmException(string message) : base(message) => Line = message;

    public SlurmException(string command, string line) : base($"{command} failed: {line}") => Line = line;

    /// <summary>What the command said.</summary>
    public string Line { get; }
}
