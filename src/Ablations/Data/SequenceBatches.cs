using static TorchSharp.torch;

namespace Ablations.Data;

/// <summary>Whole fixed-length sequences (synthetic tasks), with only the flagged targets scored.</summary>
public sealed class SequenceBatches : IBatchSource
{
    readonly int[] _tokens;
    readonly bool[] _scored;
    readonly int _count;

    public SequenceBatches(int[] tokens, bool[] scored, int sequenceTokens)
    {
        _tokens = tokens;
        _scored = scored;
        SequenceLength = sequenceTokens - 1;
        _count = tokens.Length / sequenceTokens;
    }

    public int SequenceLength { get; }

    public (Tensor Input, Tensor Target) Sample(int seed, int step, int micro, int batchSize)
    {
        var rng = new Random(unchecked(seed * 1_000_003 + step * 1_009 + micro));
        return Cut(Enumerable.Range(0, batchSize).Select(_ => rng.Next(_count)).ToArray());
    }

    public IEnumerable<(Tensor Input, Tensor Target)> Fixed(int batches, int batchSize)
    {
        for (int b = 0; b < batches; b++)
            yield return Cut(Enumerable.Range(b * batchSize, batchSize).Select(i => i % _count).ToArray());
    }

    (Tensor, Tensor) Cut(int[] sequences)
    {
        int width = SequenceLength + 1, t = SequenceLength;
        var input = new long[sequences.Length * t];
        var target = new long[sequences.Length * t];
        for (int i = 0; i < sequences.Length; i++)
        {
            var o = sequences[i] * width;
            for (int j = 0; j < t; j++)
            {
                input[i * t + j] = _tokens[o + j];
                target[i * t + j] = _scored[o + j + 1] ? _tokens[o + j + 1] : -100;
            }
        }
        return (tensor(input, new long[] { sequences.Length, t }), tensor(target, new long[] { sequences.Length, t }));
    }

    public void Dispose() { }
}
