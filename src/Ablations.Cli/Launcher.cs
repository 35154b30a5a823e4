namespace Ablations.Cli;

/// <summary>Where `ablate run` trains: here (in this process, or --jobs child processes), or as Slurm array jobs.</summary>
public enum Launcher { Local, Slurm }
