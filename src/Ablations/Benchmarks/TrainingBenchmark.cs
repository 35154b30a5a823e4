using System.Diagnostics;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>
/// Times full training steps (forward, cross-entropy, backward, AdamW) of a model on a fixed random batch:
/// median step time after warm-up, tokens per second, resident-memory growth and model FLOP utilisation
/// against the fp32 matrix-multiply rate measured in the same process.
/// </summary>
public static class TrainingBenchmark
{
    public static BenchResult Measure(string name, string description, ModelConfig config, Func<nn.Module<Tensor, Tensor>> build,
        int batch, int context, int warmup, int steps, double gflops)
    {
        var baseline = ResidentMb();
        using var model = build();
        using var optimizer = optim.AdamW(model.parameters(), 1e-4);
        using var tokens = randint(0, config.VocabSize, new long[] { batch, context + 1 }, generator: new Generator(1));
        using var input = tokens.narrow(1, 0, context).contiguous();
        using var target = tokens.narrow(1, 1, context).reshape(-1).contiguous();
        var times = new List<double>();
        double peak = 0;
        for (int s = 0; s < warmup + steps; s++)
        {
            var watch = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var logits = model.call(input);
                var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), target);
                loss.backward();
                optimizer.step();
            }
            if (s >= warmup) times.Add(watch.Elapsed.TotalMilliseconds);
            peak = Math.Max(peak, ResidentMb() - baseline);
        }
        times.Sort();
        var median = times[times.Count / 2];
        var inspection = Inspector.Inspect(config, context, "fp32");
        var flopsPerStep = 3.0 * inspection.FlopsPerToken * batch * context;   // forward + backward = 3 x forward
        return new BenchResult(name, description, model.parameters().Sum(p => p.NumberOfElements), inspection.ActiveParameters, batch, context,
            median, batch * context / (median / 1000), peak, flopsPerStep, flopsPerStep / (median / 1000) / (gflops * 1e9));
    }

    /// <summary>Resident memory of this process in MB (Linux /proc; the GC's view elsewhere).</summary>
    public static double ResidentMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:"))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().WorkingSet64 / 1048576.0;
    }
}
