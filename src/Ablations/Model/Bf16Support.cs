using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// Whether a device multiplies bf16 matrices in hardware. CPUs: AMX (amx_bf16) or AVX-512-BF16 (avx512_bf16) in
/// /proc/cpuinfo; without them libtorch converts bf16 to float32 around every product, which only costs time.
/// CUDA: compute capability 8.0 (Ampere) and newer have bf16 tensor cores, but TorchSharp 0.107 does not report
/// the capability, so on CUDA the measurement alone decides.
/// </summary>
public static class Bf16Support
{
    /// <summary>The bf16 instruction sets this CPU reports, e.g. ["amx_bf16", "avx512_bf16"] (empty when none or unknown).</summary>
    public static IReadOnlyList<string> CpuFlags()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo")) return Array.Empty<string>();
            var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (flags is null) return Array.Empty<string>();
            var present = flags[(flags.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            return new[] { "amx_bf16", "avx512_bf16" }.Where(present.Contains).ToList();
        }
        catch (IOException) { return Array.Empty<string>(); }
        catch (UnauthorizedAccessException) { return Array.Empty<string>(); }
    }

    /// <summary>Whether <paramref name="device"/> may have fast bf16, and what that rests on.</summary>
    public static (bool Fast, string Why) Of(DeviceType device)
    {
        if (device == DeviceType.CUDA) return (true, "CUDA (capability not reported by TorchSharp; measured)");
        if (device != DeviceType.CPU) return (false, $"{device} is not known to have fast bf16");
        var flags = CpuFlags();
        return flags.Count > 0 ? (true, "CPU with " + string.Join(", ", flags)) : (false, "CPU without amx_bf16 or avx512_bf16");
    }
}
