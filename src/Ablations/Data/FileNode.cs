using System.Runtime.InteropServices;

namespace Ablations.Data;

/// <summary>What a path names once its links are followed.</summary>
public enum FileKind { Regular, Directory, Fifo, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>
/// What a path names, links followed: its kind (a corpus reads regular files only, since opening a named pipe
/// blocks until something writes to it and a device may never end) and its identity, the same for every path that
/// reaches the same file or folder (two links, a hard link, a folder a link loops back to). .NET tells neither (a
/// named pipe's attributes read Normal), so on Linux they come from statx(2), whose record has one layout on every
/// architecture: the file type and the device and inode numbers. Elsewhere the kind is file or folder and the
/// identity is the path with its last link resolved.
/// </summary>
public readonly record struct FileNode(FileKind Kind, string Identity)
{
    /// <summary>The node of <paramref name="path"/>, or null when nothing is there (a link leading nowhere).</summary>
    /// <exception cref="IOException">The path cannot be examined (no permission, a link looping on itself).</exception>
    public static FileNode? Of(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsLinux() && Statx(full) is (var found, var node)) return found ? node : null;
        if (Directory.Exists(full)) return new FileNode(FileKind.Directory, Resolved(full, directory: true));
        return File.Exists(full) ? new FileNode(FileKind.Regular, Resolved(full, directory: false)) : null;
    }

    /// <summary>How a kind reads in a sentence ("a named pipe").</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        _ => "not a regular file",
    };

    static string Resolved(string path, bool directory)
    {
        var target = directory ? Directory.ResolveLinkTarget(path, returnFinalTarget: true)
                               : File.ResolveLinkTarget(path, returnFinalTarget: true);
        return target?.FullName ?? path;
    }

    static bool _noStatx;

    /// <summary>(true, node) for a path that exists, (false, _) for none; null without statx (an old libc).</summary>
    static (bool Found, FileNode Node)? Statx(string path)
    {
        if (_noStatx) return null;
        var buffer = new byte[256];   // struct statx
        int result;
        try
        {
            result = statx(AtCurrentFolder, path, 0, StatxBasicStats, buffer);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _noStatx = true;
            return null;
        }
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is NoEntry or NotFolder) return (false, default);
            throw new IOException($"cannot examine '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var mode = BitConverter.ToUInt16(buffer, 28);                     // stx_mode
        var inode = BitConverter.ToUInt64(buffer, 32);                    // stx_ino
        var (major, minor) = (BitConverter.ToUInt32(buffer, 136), BitConverter.ToUInt32(buffer, 140));   // stx_dev_*
        var kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Other,
        };
        return (true, new FileNode(kind, $"{major}:{minor}:{inode}"));
    }

    const int AtCurrentFolder = -100;      // AT_FDCWD
    const uint StatxBasicStats = 0x7ff;    // STATX_BASIC_STATS
    const int NoEntry = 2, NotFolder = 20; // ENOENT, ENOTDIR

    [DllImport("libc", SetLastError = true)]
    static extern int statx(int folder, string path, int flags, uint mask, byte[] buffer);
}
