using System.Diagnostics;
using Ablations.Analysis;
using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Benchmarks;

/// <summary>
/// One configuration under training-step timing: its model, AdamW and a fixed random batch. A step is forward,
/// cross-entropy, backward and optimiser update, exactly as training does it. Several of these are stepped in
/// turn by <see cref="Interleaved"/>.
/// </summary>
public sealed class TrainingBenchmark : IDisposable
{
    readonly nn.Module<Tensor, Tensor> _model;
    readonly optim.Optimizer _optimizer;
    readonly Tensor _input, _target;
    readonly long _vocab;

    public TrainingBenchmark(string name, string description, ModelConfig config, nn.Module<Tensor, Tensor> model, int batch, int context)
    {
        (Name, Description, Config, Batch, Context) = (name, description, config, batch, context);
        _model = model;
        _vocab = config.VocabSize;
        _optimizer = optim.AdamW(model.parameters(), 1e-4);
        using var tokens = randint(0, config.VocabSize, new long[] { batch, context + 1 }, generator: new Generator(1));
        _input = tokens.narrow(1, 0, context).contiguous();
        _target = tokens.narrow(1, 1, context).reshape(-1).contiguous();
        Parameters = model.parameters().Sum(p => p.NumberOfElements);
    }

    public string Name { get; }
    public string Description { get; }
    public ModelConfig Config { get; }
    public int Batch { get; }
    public int Context { get; }
    public long Parameters { get; }

    /// <summary>One training step; <paramref name="probe"/>, when given, is called after the forward pass, after backward and after the update.</summary>
    public void Step(Action? probe = null)
    {
        _optimizer.zero_grad();
        var logits = _model.call(_input);
        probe?.Invoke();
        nn.functional.cross_entropy(logits.reshape(-1, _vocab), _target).backward();
        probe?.Invoke();
        _optimizer.step();
        probe?.Invoke();
    }

    /// <summary>
    /// Memory one step adds on top of the weights, gradients and optimiser state: the largest growth of the
    /// C heap's bytes in use sampled after the forward pass (all activations alive), after backward and after
    /// the update, over a few untimed steps (see <see cref="NativeHeap"/>). Where the heap cannot be read, the
    /// growth of resident memory, which undercounts once freed pages are reused.
    /// </summary>
    public double MeasureStepMemoryMb(int steps = 2)
    {
        Func<double> read = NativeHeap.Available ? () => NativeHeap.InUseBytes() / 1048576.0 : ResidentMb;
        double peak = 0;
        for (int s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            var before = read();
            Step(() => peak = Math.Max(peak, read() - before));
        }
        return peak;
    }

    /// <summary>Summary of the timed steps: median time, tokens/s, memory and model FLOP utilisation.</summary>
    public BenchResult Result(IReadOnlyList<double> stepMs, double gflops, double stepMemoryMb)
    {
        var median = Interleaved.Median(stepMs);
        var inspection = Inspector.Inspect(Config, Context, "fp32");
        var flopsPerStep = 3.0 * inspection.FlopsPerToken * Batch * Context;   // forward + backward = 3 x forward
        // Weights, gradients and AdamW's two moments (16 bytes per fp32 parameter, all kept between steps) plus
        // what a step adds (activations), measured.
        var staticMb = 16.0 * Parameters / 1048576;
        return new BenchResult(Name, Description, Parameters, inspection.ActiveParameters, Batch, Context,
            median, Batch * Context / (median / 1000), staticMb + stepMemoryMb, flopsPerStep, flopsPerStep / (median / 1000) / (gflops * 1e9));
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _model.Dispose();
        _input.Dispose();
        _target.Dispose();
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
