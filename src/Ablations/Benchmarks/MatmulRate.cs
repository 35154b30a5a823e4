using System.Diagnostics;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>Measured matrix-multiply speed of this process, fp32 or bf16: the denominator of model FLOP utilisation.</summary>
public static class MatmulRate
{
    /// <summary>
    /// The best of the median rates at n = 512, 1024 and 2048: the denominator of model FLOP utilisation. One size
    /// alone can sit below what a model's own products reach (MFU above 100% was seen against 1024 alone).
    /// </summary>
    public static double Peak(Device device, ScalarType type = ScalarType.Float32) => new[] { 512, 1024, 2048 }.Max(n => Gflops(n, device, type));

    /// <summary>Median-of-runs GFLOP/s of an n x n matrix product in <paramref name="type"/> (fp32 by default, or bf16).</summary>
    public static double Gflops(int n, Device device, ScalarType type = ScalarType.Float32)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n, device: device).to(type);
        var b = randn(n, n, device: device).to(type);
        for (int i = 0; i < 3; i++) a.matmul(b);
        var rates = new List<double>();
        for (int r = 0; r < 5; r++)
        {
            var reps = Math.Max(1, 2_000_000_000 / (2L * n * n * n));
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) a.matmul(b).Dispose();
            if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize();
            rates.Add(2.0 * n * n * n * reps / sw.Elapsed.TotalSeconds / 1e9);
        }
        rates.Sort();
        return rates[rates.Count / 2];
    }
}
