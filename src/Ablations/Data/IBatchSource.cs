using static TorchSharp.torch;

namespace Ablations.Data;

/// <summary>Input and target token batches, [batch, time] each; a target of -100 is not scored.</summary>
public interface IBatchSource : IDisposable
{
    /// <summary>Tokens per sequence (the model's time dimension).</summary>
    int SequenceLength { get; }

    /// <summary>
    /// The training batch of one optimiser step and micro-batch. It depends only on (seed, step, micro), so a
    /// resumed run draws exactly the batches the uninterrupted run would have.
    /// </summary>
    (Tensor Input, Tensor Target) Sample(int seed, int step, int micro, int batchSize);

    /// <summary>A fixed set of batches covering the data evenly, the same every call (validation).</summary>
    IEnumerable<(Tensor Input, Tensor Target)> Fixed(int batches, int batchSize);
}
