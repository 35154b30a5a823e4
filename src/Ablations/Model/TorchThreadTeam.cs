using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// A parallel loop for hand-written CPU kernels, run on libtorch's own OpenMP worker threads where they can be
/// reached (Linux builds of libtorch use GNU OpenMP). Right after any libtorch operation those workers keep
/// spinning for a while in wait of more work; a separate .NET thread pool would then share the cores with
/// them, which measured 1.5x slower here for the band kernel. Handing the loop to the same team (through
/// libgomp's GOMP_parallel entry, the one compiled OpenMP code calls) uses the threads that are already awake.
/// Elsewhere it falls back to Parallel.For over the same number of threads.
/// </summary>
public static unsafe class TorchThreadTeam
{
    static readonly delegate* unmanaged<delegate* unmanaged<nint, void>, nint, uint, uint, void> GompParallel;
    static readonly delegate* unmanaged<int> OmpThreadNum;

    /// <summary>True when loops run on libtorch's OpenMP team rather than on .NET's thread pool.</summary>
    public static bool OnOpenMpTeam { get; }

    static TorchThreadTeam()
    {
        get_num_threads();   // loads libtorch, and with it the OpenMP runtime it links
        if (FindLoadedLibgomp() is not { } path || !NativeLibrary.TryLoad(path, out var library)) return;
        if (!NativeLibrary.TryGetExport(library, "GOMP_parallel", out var parallel) ||
            !NativeLibrary.TryGetExport(library, "omp_get_thread_num", out var threadNum)) return;
        GompParallel = (delegate* unmanaged<delegate* unmanaged<nint, void>, nint, uint, uint, void>)parallel;
        OmpThreadNum = (delegate* unmanaged<int>)threadNum;
        OnOpenMpTeam = true;
    }

    /// <summary>Threads a loop uses: libtorch's intra-op thread count.</summary>
    public static int Threads => Math.Max(1, get_num_threads());

    /// <summary>Calls body(item, worker) for every item in [0, items), spread over <see cref="Threads"/> workers (worker &lt; Threads).</summary>
    public static void For(int items, Action<int, int> body)
    {
        var threads = Threads;
        if (threads == 1 || items <= 1)
        {
            for (int i = 0; i < items; i++) body(i, 0);
            return;
        }
        var job = new Job(items, body);
        if (OnOpenMpTeam)
        {
            var handle = GCHandle.Alloc(job);
            try { GompParallel(&Worker, GCHandle.ToIntPtr(handle), (uint)threads, 0); }
            finally { handle.Free(); }
        }
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, job.Run);
        if (job.Error is { } error) ExceptionDispatchInfo.Throw(error);
    }

    sealed class Job(int items, Action<int, int> body)
    {
        public readonly int Items = items;
        public readonly Action<int, int> Body = body;
        public int Next = -1;
        public Exception? Error;

        /// <summary>Takes items until none is left; the first exception stops every worker and is kept for the caller.</summary>
        public void Run(int worker)
        {
            try
            {
                int i;
                while (Error is null && (i = Interlocked.Increment(ref Next)) < Items) Body(i, worker);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref Error, e, null);   // on the OpenMP team it must not cross into native code
            }
        }
    }

    [UnmanagedCallersOnly]
    static void Worker(nint state) => ((Job)GCHandle.FromIntPtr(state).Target!).Run(OmpThreadNum());

    /// <summary>The GNU OpenMP runtime libtorch loaded into this process, if any (Linux: from /proc/self/maps).</summary>
    static string? FindLoadedLibgomp()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(parts => parts.Length >= 6)
                .Select(parts => parts[5])
                .FirstOrDefault(p => Path.GetFileName(p).StartsWith("libgomp", StringComparison.Ordinal) && p.Contains(".so"));
        }
        catch (IOException) { return null; }
    }
}
