namespace Ablations.Experiments;

/// <summary>Raised when another process holds an experiment's lock.</summary>
public sealed class ExperimentBusyException : Exception
{
    public ExperimentBusyException(string message) : base(message) { }
}

/// <summary>
/// An exclusive lock on an experiment folder (an OS file lock on .lock, released when the process ends, however
/// it ends), so a second `ablate run` of the same experiment says so and leaves the first alone.
/// </summary>
public sealed class ExperimentLock : IDisposable
{
    readonly FileStream _stream;

    ExperimentLock(FileStream stream) => _stream = stream;

    public static ExperimentLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ".lock");
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            // The locked file cannot be read by others, so the holder is named in a file beside it.
            File.WriteAllText(path + ".owner", $"process {Environment.ProcessId}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
            return new ExperimentLock(stream);
        }
        catch (IOException)
        {
            string holder;
            try { holder = File.ReadAllText(path + ".owner").Trim(); } catch (IOException) { holder = "unknown"; }
            throw new ExperimentBusyException($"another `ablate run` is working on {folder} ({holder}); wait for it to finish or stop it");
        }
    }

    public void Dispose() => _stream.Dispose();
}
