using System.CommandLine;
using Ablations.Native;
using static TorchSharp.torch;

namespace Ablations.Cli.Commands;

/// <summary>`ablate doctor`: versions, devices, threads, measured matrix-multiply speed and the native-library fix.</summary>
public static class DoctorCommand
{
    const string NeededVersion = "GLIBCXX_3.4.32";

    public static Command Create()
    {
        var command = new Command("doctor", "check TorchSharp, libtorch, devices, threads, bf16 hardware and measured fp32 and bf16 matmul speed");
        command.SetAction(_ => CliRunner.Guard(Run));
        return command;
    }

    static int Run()
    {
        Console.WriteLine($"TorchSharp      {typeof(TorchSharp.torch).Assembly.GetName().Version}");
        Console.WriteLine($"libtorch        {__version__}");
        Console.WriteLine($".NET            {Environment.Version} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        var cuda = cuda_is_available();
        Console.WriteLine($"devices         cpu{(cuda ? $", cuda x{TorchSharp.torch.cuda.device_count()}" : " (no CUDA device; build with -p:TorchBackend=cuda for GPUs)")}");
        Console.WriteLine($"threads         torch {get_num_threads()}, logical cores {Environment.ProcessorCount}");
        Console.WriteLine($"reproducibility {Ablations.Common.NativeReproducibility.Describe()} (oneMKL: fixed threads and code path, so a run repeats to the bit at a given thread count)");
        Console.WriteLine($"kernels         band attention {(Ablations.Model.Attention.BandAttentionFunction.KernelAvailable ? Ablations.Model.Attention.BandAttentionFunction.Instructions : "unavailable (chunked tensor ops instead)")}; " +
            $"parallel loops on {(Ablations.Model.TorchThreadTeam.OnOpenMpTeam ? "libtorch's OpenMP threads" : ".NET's thread pool")}");
        Console.WriteLine($"native fix      {NativeFixStatus()}");
        foreach (var n in new[] { 512, 1024 })
            Console.WriteLine($"fp32 matmul     {n}x{n}: {MeasureGflops(n, CPU):F1} GFLOP/s (cpu)");
        var flags = Ablations.Model.Bf16Support.CpuFlags();
        Console.WriteLine($"bf16 hardware   AMX {(flags.Contains("amx_bf16") ? "yes" : "no")}, AVX-512-BF16 {(flags.Contains("avx512_bf16") ? "yes" : "no")} (cpu)" +
                          (flags.Count == 0 ? ": precision auto keeps fp32 here" : ""));
        foreach (var n in new[] { 512, 1024 })
        {
            var (fp32, bf16) = (MeasureGflops(n, CPU), MeasureGflops(n, CPU, ScalarType.BFloat16));
            Console.WriteLine($"bf16 matmul     {n}x{n}: {bf16:F1} GFLOP/s (cpu), {bf16 / fp32:F2}x fp32's {fp32:F1}");
        }
        if (cuda)
        {
            Console.WriteLine($"fp32 matmul     4096x4096: {MeasureGflops(4096, CUDA):F1} GFLOP/s (cuda)");
            Console.WriteLine($"bf16 matmul     4096x4096: {MeasureGflops(4096, CUDA, ScalarType.BFloat16):F1} GFLOP/s (cuda)");
        }
        return CliRunner.Ok;
    }

    static double MeasureGflops(int n, Device device, ScalarType type = ScalarType.Float32) => Ablations.Benchmarks.MatmulRate.Gflops(n, device, type);

    static string NativeFixStatus()
    {
        var system = ElfVersionNeeds.FindSystemLibStdCxx();
        var systemHas = system != null && ElfVersionNeeds.Defines(system, NeededVersion);
        var shim = new[] { Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
                           Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so") }.FirstOrDefault(File.Exists);
        if (shim == null) return "libLibTorchSharp.so not found beside the program (not Linux x64?)";
        var flags = ElfVersionNeeds.ReadFlags(shim, NeededVersion);
        var weak = flags is ushort f && (f & ElfVersionNeeds.VerFlagWeak) != 0;
        var where = system ?? "no libstdc++.so.6 found";
        return (systemHas, weak) switch
        {
            (true, _) => $"not needed: {where} provides {NeededVersion}",
            (false, true) => $"applied: {NeededVersion} marked weak in {shim} ({where} lacks it)",
            (false, false) => $"MISSING: {where} lacks {NeededVersion} and {shim} still requires it (rebuild)",
        };
    }
}
