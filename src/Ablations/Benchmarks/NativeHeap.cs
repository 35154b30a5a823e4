using System.Runtime.InteropServices;

namespace Ablations.Benchmarks;

/// <summary>
/// The C heap that libtorch's CPU tensors live in (glibc malloc on Linux). Resident memory cannot show one step's
/// activations: freed pages stay with the allocator and are reused by the next model, so the second model
/// measured seems to need nothing. glibc's own count of bytes in use (blocks handed out from the main arena,
/// where the calling thread's tensors come from, plus blocks served by their own mappings) can.
/// </summary>
public static class NativeHeap
{
    [StructLayout(LayoutKind.Sequential)]
    struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    static extern MallInfo2 mallinfo2();

    /// <summary>True where the count is available (Linux with glibc 2.33 or later).</summary>
    public static bool Available { get; } = Probe();

    static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { mallinfo2(); return true; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    /// <summary>Bytes in use now: the main arena's allocated blocks plus mapped blocks (0 where unavailable).</summary>
    public static long InUseBytes()
    {
        if (!Available) return 0;
        var info = mallinfo2();
        return (long)(info.Hblkhd + info.Uordblks);
    }
}
