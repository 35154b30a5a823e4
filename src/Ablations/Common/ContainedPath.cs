using System.Runtime.InteropServices;

namespace Ablations.Common;

/// <summary>
/// The check every folder derived from user input passes before anything is written there: after resolving '..'
/// and symbolic links (of the parts that exist), it must lie under the root the user gave (--results, --out).
/// A link inside the results that points elsewhere is refused, not followed.
/// </summary>
public static class ContainedPath
{
    /// <summary><paramref name="root"/> joined with <paramref name="relative"/>, or an error when it would leave the root.</summary>
    public static string Under(string root, string relative, string what)
    {
        var full = Path.GetFullPath(Path.Combine(root, relative));
        Check(root, full, what);
        return full;
    }

    /// <summary>Refuses <paramref name="path"/> unless it is <paramref name="root"/> or below it, links resolved.</summary>
    public static void Check(string root, string path, string what)
    {
        var realRoot = Real(Path.GetFullPath(root));
        var real = Real(Path.GetFullPath(path));
        if (!IsUnder(realRoot, real))
            throw new Config.ConfigException(
                $"{what} {path} resolves to {real}, outside {Path.GetFullPath(root)}; nothing is written outside the folder given", path);
    }

    static bool IsUnder(string root, string path)
    {
        var r = Path.TrimEndingDirectorySeparator(root);
        return path == r || path.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal) || r == "/";
    }

    /// <summary>
    /// The path with every symbolic link among its existing parts resolved (realpath of the longest existing prefix,
    /// then the parts that do not exist yet, which no link can redirect).
    /// </summary>
    public static string Real(string full)
    {
        var rest = new Stack<string>();
        var existing = full;
        while (!Path.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var resolved = RealPath(existing) ?? existing;
        while (rest.Count > 0) resolved = Path.Combine(resolved, rest.Pop());
        return resolved;
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    static extern IntPtr NativeRealPath(string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    static extern void Free(IntPtr pointer);

    static string? RealPath(string path)
    {
        if (OperatingSystem.IsWindows()) return Path.GetFullPath(path);
        var p = NativeRealPath(path, IntPtr.Zero);
        if (p == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(p); }
        finally { Free(p); }
    }
}
