using System.Globalization;
using Ablations.Common;
using Ablations.Model;

namespace Ablations.Training;

/// <summary>
/// A rough upper estimate of training memory (fp32 weights, gradients and AdamW moments, plus activations kept
/// for the backward pass), checked before anything is allocated so that an impossible run fails with a message
/// naming the key to lower first: the batch when one sequence fits, the context when the weights fit but one
/// sequence does not, else the model key that makes the weights too big. Counted in doubles, so an absurd
/// configuration is measured rather than overflowed.
/// </summary>
public sealed class MemoryEstimate
{
    readonly RunConfig _config;
    readonly ModelSize _size;

    public MemoryEstimate(RunConfig config, int sequenceLength)
    {
        _config = config;
        _size = new ModelSize(config.Model);
        SequenceLength = sequenceLength;
        var m = config.Model;
        var hidden = m.Moe != null ? (double)m.Moe.ExpertHidden * (m.Moe.TopK + m.Moe.NSharedExperts) : m.FeedForward.ResolvedHidden(m.DModel);
        var perLayerPerToken = 4.0 * (20.0 * m.DModel + 4 * hidden + 3.0 * m.Attention.NHeads * sequenceLength);
        ActivationBytesPerSequence = sequenceLength * (m.NLayers * perLayerPerToken + 4.0 * 4 * m.VocabSize);
    }

    public int SequenceLength { get; }
    public double Parameters => _size.Total;
    /// <summary>Weights, gradients and the two AdamW moments, fp32.</summary>
    public double StateBytes => 16 * Parameters;
    public double ActivationBytesPerSequence { get; }
    public double ActivationBytes => _config.Train.BatchSize * ActivationBytesPerSequence;
    public double Bytes => StateBytes + ActivationBytes;

    /// <summary>
    /// Why the run does not fit in <paramref name="available"/> bytes: the full key to lower first, and one sentence
    /// with the numbers that say so.
    /// </summary>
    public (string Key, string Message) Explain(double available)
    {
        string key, advice;
        if (StateBytes + ActivationBytesPerSequence <= available)
        {
            key = "train.batch_size";
            advice = Text($"at most {Math.Floor((available - StateBytes) / ActivationBytesPerSequence):N0} sequences of {SequenceLength:N0} tokens fit; ") +
                     "lower train.batch_size (and raise train.grad_accum to keep the tokens per step)";
        }
        else if (StateBytes <= available)
        {
            key = _config.Train.Context > 0 ? "train.context" : "model.context_length";
            advice = Text($"the activations of one sequence of {SequenceLength:N0} tokens alone take {Units.Bytes(ActivationBytesPerSequence)}; lower {key}");
        }
        else
        {
            var (modelKey, reason) = _size.Culprit(available / 16);
            key = "model." + modelKey;
            advice = $"{reason}; lower {key}";
        }
        return (key, $"training needs about {Units.Bytes(Bytes)} ({Units.Bytes(StateBytes)} for the weights, gradients and AdamW moments of " +
                     $"{Units.Count(Parameters)} parameters, {Units.Bytes(ActivationBytes)} for the activations of " +
                     Text($"{_config.Train.BatchSize:N0} x {SequenceLength:N0} tokens), but ") + $"{Units.Bytes(available)} is available: {advice}");
    }

    static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Memory the OS says is available (MemAvailable on Linux), or the GC's view elsewhere.</summary>
    public static long Available()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:"))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
