using Ablations.Data;
using Ablations.Model;
using static TorchSharp.torch;

namespace Ablations.Training;

/// <summary>
/// Validation loss (nats per scored token), perplexity, bits per byte and accuracy (the share of scored tokens
/// whose most likely prediction is right: the answer accuracy of a synthetic task) on a fixed set of batches: the
/// final evaluation uses all of them, the ones along the way an evenly spread part.
/// </summary>
public sealed class Evaluator : IDisposable
{
    readonly List<(Tensor Input, Tensor Target)> _batches;
    readonly List<(Tensor Input, Tensor Target)> _along;
    readonly double _bytesPerToken;

    public Evaluator(PreparedData data, int batchesAlongTheWay, int batches, int batchSize, Device device)
    {
        _bytesPerToken = data.BytesPerToken;
        _batches = data.Validation.Fixed(batches, batchSize)
            .Select(b =>
            {
                var moved = (b.Input.to(device), b.Target.to(device));
                if (!ReferenceEquals(moved.Item1, b.Input)) { b.Input.Dispose(); b.Target.Dispose(); }
                moved.Item1.DetachFromDisposeScope();
                moved.Item2.DetachFromDisposeScope();
                return moved;
            })
            .ToList();
        var k = Math.Min(batchesAlongTheWay, _batches.Count);
        _along = Enumerable.Range(0, k).Select(i => _batches[(int)((long)i * _batches.Count / k)]).ToList();
    }

    /// <param name="final">All batches of the set (the final evaluation), else the part used along the way.</param>
    public Evaluation Evaluate(Decoder model, bool final = true)
    {
        var wasTraining = model.training;
        model.eval();
        double total = 0;
        long count = 0, right = 0;
        using (no_grad())
        {
            foreach (var (input, target) in final ? _batches : _along)
            {
                using var scope = NewDisposeScope();
                var logits = model.Forward(input).Logits;
                var sum = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), target.reshape(-1), ignore_index: -100, reduction: nn.Reduction.Sum);
                total += sum.to(ScalarType.Float64).item<double>();
                count += target.ne(-100).sum().item<long>();
                right += logits.argmax(-1).eq(target).sum().item<long>();       // -100 never equals a prediction
            }
        }
        if (wasTraining) model.train();
        var loss = total / Math.Max(1, count);
        return new(loss, Math.Exp(loss), loss / Math.Log(2) / _bytesPerToken, (double)right / Math.Max(1, count));
    }

    public void Dispose()
    {
        foreach (var (i, t) in _batches) { i.Dispose(); t.Dispose(); }
    }
}

/// <summary>One evaluation: nats per scored token, perplexity, bits per byte, and the share of scored tokens predicted right.</summary>
public readonly record struct Evaluation(double Loss, double Perplexity, double BitsPerByte, double Accuracy);
