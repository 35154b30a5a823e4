using System.Diagnostics;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Model;
using Ablations.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>
/// One configuration under training-step timing: its model, AdamW and a fixed random batch. A step is the
/// trainer's own <see cref="TrainStep"/>: forward, cross-entropy with z-loss and the MoE balance loss, backward,
/// clipping, AdamW and the routers' bias update. Several of these are stepped in turn by <see cref="Interleaved"/>.
/// </summary>
public sealed class TrainingBenchmark : IDisposable
{
    /// <summary>Training as the benchmark runs it: constant learning rate, clipping and z-loss on, logits never recorded.</summary>
    public static readonly TrainConfig Train = new()
    {
        Lr = 1e-4, Schedule = LrSchedule.Constant, WarmupSteps = 0, GradClip = 1.0, ZLoss = 1e-4, LogEvery = int.MaxValue, Steps = int.MaxValue,
    };

    readonly ILanguageModel _model;
    readonly Training.AdamW _optimizer;
    readonly Tensor _input, _target;
    int _step;

    /// <param name="precision">fp32 or bf16; a decoder is set to it (the reference GPT computes in fp32).</param>
    public TrainingBenchmark(string name, string description, ModelConfig config, ILanguageModel model, int batch, int context, Precision precision = Precision.Fp32)
    {
        (Name, Description, Config, Batch, Context) = (name, description, config, batch, context);
        _model = model;
        if (model is Decoder decoder) decoder.Precision = precision;
        Precision = model is Decoder ? precision : Precision.Fp32;
        _optimizer = OptimizerFactory.Create(model, Train);
        using var tokens = randint(0, config.VocabSize, new long[] { batch, context + 1 }, generator: new Generator(1));
        _input = tokens.narrow(1, 0, context).contiguous();
        _target = tokens.narrow(1, 1, context).contiguous();
        Parameters = model.parameters().Sum(p => p.NumberOfElements);
    }

    public string Name { get; }
    public string Description { get; }
    public ModelConfig Config { get; }
    public int Batch { get; }
    public int Context { get; }
    public long Parameters { get; }
    public Precision Precision { get; }

    /// <summary>One training step; <paramref name="probe"/>, when given, is called after the forward pass, after backward and after the update.</summary>
    public void Step(Action? probe = null) =>
        new TrainStep(_model, _optimizer, Train, (_, _) => (_input, _target)) { Probe = probe }.Run(++_step);

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

    /// <summary>Summary of the timed steps: median time, tokens/s, memory and model FLOP utilisation against <paramref name="gflops"/> (the peak of this precision).</summary>
    public BenchResult Result(IReadOnlyList<double> stepMs, double gflops, double stepMemoryMb)
    {
        var median = Interleaved.Median(stepMs);
        var inspection = Inspector.Inspect(Config, Context, "fp32");
        var flopsPerStep = 3.0 * inspection.FlopsPerToken * Batch * Context;   // forward + backward = 3 x forward
        // Weights, gradients and AdamW's two moments (16 bytes per fp32 parameter, all kept between steps) plus
        // what a step adds (activations), measured.
        var staticMb = 16.0 * Parameters / 1048576;
        return new BenchResult(Name, Description, Parameters, inspection.ActiveParameters, Batch, Context,
            median, Batch * Context / (median / 1000), staticMb + stepMemoryMb, flopsPerStep, flopsPerStep / (median / 1000) / (gflops * 1e9),
            SnakeCase.Of(Precision.ToString()));
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        (_model as IDisposable)?.Dispose();
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
