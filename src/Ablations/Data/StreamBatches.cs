using static TorchSharp.torch;

namespace Ablations.Data;

/// <summary>Windows of sequence_length + 1 tokens cut at random (training) or evenly spaced (validation) offsets from a token stream.</summary>
public sealed class StreamBatches : IBatchSource
{
    readonly ITokenStore _store;

    public StreamBatches(ITokenStore store, int sequenceLength, string splitName)
    {
        if (store.Length < sequenceLength + 1)
            throw new DataException($"the {splitName} split has {store.Length:N0} tokens, fewer than one sequence of {sequenceLength + 1} " +
                                    "(train.context + 1); use a shorter context or more data", "train.context");
        _store = store;
        SequenceLength = sequenceLength;
    }

    public int SequenceLength { get; }

    public (Tensor Input, Tensor Target) Sample(int seed, int step, int micro, int batchSize)
    {
        var rng = new Random(unchecked(seed * 1_000_003 + step * 1_009 + micro));
        var last = _store.Length - SequenceLength - 1;
        var offsets = Enumerable.Range(0, batchSize).Select(_ => rng.NextInt64(last + 1)).ToArray();
        return Cut(offsets);
    }

    public IEnumerable<(Tensor Input, Tensor Target)> Fixed(int batches, int batchSize)
    {
        var count = batches * batchSize;
        var last = _store.Length - SequenceLength - 1;
        var offsets = Enumerable.Range(0, count).Select(i => count == 1 ? 0 : (long)((double)i / (count - 1) * last)).ToArray();
        for (int b = 0; b < batches; b++)
            yield return Cut(offsets.Skip(b * batchSize).Take(batchSize).ToArray());
    }

    (Tensor, Tensor) Cut(long[] offsets)
    {
        var width = SequenceLength + 1;
        var buffer = new long[offsets.Length * width];
        for (int i = 0; i < offsets.Length; i++) _store.Read(offsets[i], buffer.AsSpan(i * width, width));
        using var all = tensor(buffer, new long[] { offsets.Length, width });
        return (all.narrow(1, 0, SequenceLength).contiguous(), all.narrow(1, 1, SequenceLength).contiguous());
    }

    public void Dispose() => _store.Dispose();
}
