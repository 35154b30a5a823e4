using Ablations.Analysis;
using Ablations.Config;

namespace Ablations.Training;

/// <summary>
/// A rough upper estimate of training memory (fp32 weights, gradients and AdamW moments, plus activations kept
/// for the backward pass), checked before anything is allocated so an impossible batch fails with a message.
/// </summary>
public static class MemoryEstimate
{
    public static long Bytes(RunConfig config, int sequenceLength)
    {
        var m = config.Model;
        var inspection = Inspector.Inspect(m, sequenceLength, "fp32");
        long tokens = (long)config.Train.BatchSize * sequenceLength;
        var state = 16L * inspection.TotalParameters;                    // weights, gradients, two moments
        var hidden = m.Moe != null ? (long)m.Moe.ExpertHidden * (m.Moe.TopK + m.Moe.NSharedExperts) : m.FeedForward.ResolvedHidden(m.DModel);
        var perLayerPerToken = 4L * (20L * m.DModel + 4 * hidden + 3L * m.Attention.NHeads * sequenceLength);
        var activations = tokens * (m.NLayers * perLayerPerToken + 4L * 4 * m.VocabSize);
        return state + activations;
    }

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
