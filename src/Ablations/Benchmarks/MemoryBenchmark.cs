using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>Resident memory and live tensors over a long run of training steps, sampled after warm-up.</summary>
public sealed record MemoryTrace(int Steps, double StartMb, double EndMb, double MaxMb, long StartLiveTensors, long EndLiveTensors,
    IReadOnlyList<(int Step, double Mb)> Samples, Precision Precision = Precision.Fp32)
{
    public double Growth => (EndMb - StartMb) / StartMb;
}

/// <summary>
/// Trains a model for many steps and records this process's resident memory and TorchSharp's count of live
/// tensors: flat memory and an unchanged tensor count mean nothing is retained from one step to the next.
/// </summary>
public static class MemoryBenchmark
{
    public static MemoryTrace Measure(ModelConfig config, int batch, int context, int warmup, int steps, int sampleEvery = 50,
        Precision precision = Precision.Fp32)
    {
        using var bench = new TrainingBenchmark("memory", "", config, new Decoder(config), batch, context, precision);
        for (int s = 0; s < warmup; s++)
            using (NewDisposeScope()) bench.Step();
        var startMb = TrainingBenchmark.ResidentMb();
        var startLive = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var samples = new List<(int, double)> { (0, startMb) };
        for (int s = 1; s <= steps; s++)
        {
            using (NewDisposeScope()) bench.Step();
            if (s % sampleEvery == 0 || s == steps) samples.Add((s, TrainingBenchmark.ResidentMb()));
        }
        return new MemoryTrace(steps, startMb, samples[^1].Item2, samples.Max(x => x.Item2), startLive,
            DisposeScopeManager.Statistics.ThreadTotalLiveCount, samples, precision);
    }
}
