namespace Ablations.Common;

/// <summary>Raised when another process holds a folder's lock; names the holder.</summary>
public sealed class FolderBusyException : Exception
{
    public FolderBusyException(string message) : base(message) { }
}

/// <summary>
/// An exclusive OS file lock on FOLDER/.lock (flock on Linux), released when the process ends, however it ends.
/// The locked file cannot be read by others, so the holder names itself in .lock.owner beside it.
/// </summary>
public sealed class FolderLock : IDisposable
{
    readonly FileStream _stream;

    FolderLock(FileStream stream) => _stream = stream;

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="wait"/> for another holder to let go (<paramref name="onWait"/>
    /// is told once who holds it). Throws <see cref="FolderBusyException"/> when it is still held after that.
    /// </summary>
    public static FolderLock Acquire(string folder, TimeSpan wait, Func<string, string> busyMessage, Action<string>? onWait = null)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, ".lock");
        var deadline = DateTime.UtcNow + wait;
        var told = false;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                File.WriteAllText(path + ".owner", $"process {Environment.ProcessId}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
                return new FolderLock(stream);
            }
            catch (IOException e) when (IsLockConflict(e))
            {
                var holder = Holder(path);
                if (DateTime.UtcNow >= deadline) throw new FolderBusyException(busyMessage(holder));
                if (!told) onWait?.Invoke(holder);
                told = true;
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>Another process holds the lock (EWOULDBLOCK from flock on Unix, a sharing violation on Windows), as opposed to a folder that cannot be written.</summary>
    static bool IsLockConflict(IOException e) => e.HResult == 11 || e.HResult == unchecked((int)0x80070020);

    /// <summary>
    /// Whether a process holds the folder's lock now. Asks for a shared lock on .lock without creating or writing
    /// anything, so a status query changes nothing (and works on a read-only results folder).
    /// </summary>
    public static bool IsHeld(string folder)
    {
        var path = Path.Combine(folder, ".lock");
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (IOException e) when (IsLockConflict(e)) { return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The process id written by the lock's holder, or null when unknown.</summary>
    public static int? HolderProcess(string folder)
    {
        var text = Holder(Path.Combine(folder, ".lock"));
        var parts = text.Split(' ', ',');
        return parts.Length > 1 && parts[0] == "process" && int.TryParse(parts[1], out var pid) ? pid : null;
    }

    static string Holder(string lockPath)
    {
        try { return File.ReadAllText(lockPath + ".owner").Trim(); }
        catch (IOException) { return "unknown"; }
    }

    public void Dispose() => _stream.Dispose();
}
