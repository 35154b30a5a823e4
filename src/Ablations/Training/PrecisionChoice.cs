using System.Diagnostics;
using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Training;

/// <summary>
/// train.precision resolved for one model on one device. fp32 and bf16 are taken as asked. auto is bf16 only where
/// the device has fast bf16 (<see cref="Bf16Support"/>) and bf16 measured faster for this very model: a warm-up and
/// then a few forward and backward passes of one training batch in each precision, timed in turn; bf16 must be at
/// least 5% faster. The passes leave the weights and the optimiser untouched (gradients are zeroed after).
/// </summary>
public sealed record PrecisionChoice(Precision Precision, string Why)
{
    /// <summary>Timed passes per precision after one warm-up.</summary>
    public const int Passes = 3;

    public static PrecisionChoice Resolve(Precision requested, Decoder model, DeviceType device, Func<(Tensor Input, Tensor Target)> batch)
    {
        if (requested != Precision.Auto) return new(requested, "as configured");
        var (fast, hardware) = Bf16Support.Of(device);
        if (!fast) return new(Precision.Fp32, $"auto: {hardware}");
        var was = model.Precision;
        var fp32 = Time(model, Precision.Fp32, batch);
        var bf16 = Time(model, Precision.Bf16, batch);
        model.Precision = was;
        var chosen = Faster(fp32, bf16);
        return new(chosen, $"auto: {hardware}; a forward and backward pass took {fp32 * 1e3:F1} ms in fp32, {bf16 * 1e3:F1} ms in bf16 ({fp32 / bf16:F2}x)");
    }

    /// <summary>bf16 when its measured time is at least 5% below fp32's; fp32 otherwise (ties, noise, slower).</summary>
    public static Precision Faster(double fp32Seconds, double bf16Seconds) => bf16Seconds < 0.95 * fp32Seconds ? Precision.Bf16 : Precision.Fp32;

    /// <summary>Median seconds of a forward and backward pass of the batch in <paramref name="precision"/>.</summary>
    static double Time(Decoder model, Precision precision, Func<(Tensor Input, Tensor Target)> batch)
    {
        model.Precision = precision;
        var times = new List<double>();
        for (int i = 0; i <= Passes; i++)
        {
            var watch = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                var (input, target) = batch();
                var logits = model.Forward(input).Logits;
                nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), target.reshape(-1), ignore_index: -100).backward();
                if (logits.device.type == DeviceType.CUDA) cuda.synchronize();
            }
            if (i > 0) times.Add(watch.Elapsed.TotalSeconds);
            model.WeightsChanged();   // a step's casts are part of its cost
        }
        using (no_grad())
            foreach (var p in model.parameters()) p.grad?.zero_();
        times.Sort();
        return times[times.Count / 2];
    }
}
