using Ablations.Common;

namespace Ablations.Experiments;

/// <summary>Raised when another process holds an experiment's lock.</summary>
public sealed class ExperimentBusyException : Exception
{
    public ExperimentBusyException(string message) : base(message) { }
}

/// <summary>
/// An exclusive lock on an experiment folder, so a second `ablate run` of the same experiment says so and
/// leaves the first alone. Each run folder has its own lock besides, held by the process that trains it.
/// </summary>
public static class ExperimentLock
{
    public static FolderLock Acquire(string folder)
    {
        try
        {
            return FolderLock.Acquire(folder, TimeSpan.Zero,
                holder => $"another `ablate run` is working on {folder} ({holder}); wait for it to finish or stop it");
        }
        catch (FolderBusyException e)
        {
            throw new ExperimentBusyException(e.Message);
        }
    }
}
