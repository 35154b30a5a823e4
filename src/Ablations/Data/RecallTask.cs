using Ablations.Config;

namespace Ablations.Data;

/// <summary>
/// Recall at a distance, two ways (<see cref="RecallKind"/>). Token layout: keys [0, K), values [K, K+V) (mqar
/// only), then the filler symbols. A model that cannot see back to the pairs can only guess (ln K nats per answer for copy, ln V for
/// mqar); one that sees them can reach 0.
/// <list type="bullet">
/// <item>copy: "k0 k1 ... kn", filler up to the distance, then "k0 k1 ... kn" again with k1..kn scored. Each adjacent
/// pair (k_j, k_j+1) of the segment is a key and its value, and the repeat asks every pair in turn: an induction
/// head (find the earlier k_j, copy what followed) or a head attending a fixed distance back answers it.</item>
/// <item>mqar (Arora et al. 2023, arXiv 2312.04927): "k1 v1 ... kn vn", filler, then the queries "k v", each a
/// different earlier key followed by its value, only the value scored.</item>
/// </list>
/// Keys are distinct within a sequence; values are drawn freely.
/// </summary>
public sealed class RecallTask
{
    public const int FillerSymbols = 16;
    readonly RecallConfig _c;

    public RecallTask(RecallConfig config) => _c = config;

    /// <summary>Value symbols: mqar's value alphabet; copy has none (its answers are keys).</summary>
    int ValueSymbols => _c.Kind == RecallKind.Copy ? 0 : _c.Values;
    public int VocabSize => _c.Keys + ValueSymbols + FillerSymbols;
    int Filler(Random rng) => _c.Keys + ValueSymbols + rng.Next(FillerSymbols);

    /// <summary>Loss of a model that cannot see the pairs, per scored token: ln(keys) for copy, ln(values) for mqar.</summary>
    public double GuessLoss => Math.Log(_c.AnswerAlphabet);

    /// <summary>
    /// Sequences of <see cref="RecallConfig.SequenceLength"/> tokens with a parallel "scored" flag; the flag marks
    /// a token whose prediction (from the token before it) counts in the loss.
    /// </summary>
    public (int[] Tokens, bool[] Scored) Generate(int count, int seed, CancellationToken cancel = default)
    {
        var rng = new Random(seed);
        int length = _c.SequenceLength;
        var tokens = new int[count * length];
        var scored = new bool[count * length];
        var keys = Enumerable.Range(0, _c.Keys).ToArray();
        for (int s = 0; s < count; s++)
        {
            if (s % 4096 == 0) cancel.ThrowIfCancellationRequested();
            var o = s * length;
            rng.Shuffle(keys);
            if (_c.Kind == RecallKind.Copy)
            {
                int segment = _c.Pairs + 1;
                for (int p = 0; p < segment; p++)
                {
                    tokens[o + p] = tokens[o + _c.Distance + p] = keys[p];
                    scored[o + _c.Distance + p] = p > 0;
                }
                for (int f = segment; f < _c.Distance; f++) tokens[o + f] = Filler(rng);
                continue;
            }
            var values = Enumerable.Range(0, _c.Pairs).Select(_ => _c.Keys + rng.Next(_c.Values)).ToArray();
            for (int p = 0; p < _c.Pairs; p++)
            {
                tokens[o + 2 * p] = keys[p];
                tokens[o + 2 * p + 1] = values[p];
            }
            for (int f = 2 * _c.Pairs; f < _c.Distance; f++)
                tokens[o + f] = Filler(rng);
            var asked = Enumerable.Range(0, _c.Pairs).OrderBy(_ => rng.Next()).Take(_c.Queries).ToArray();
            for (int q = 0; q < _c.Queries; q++)
            {
                var at = o + _c.Distance + 2 * q;
                tokens[at] = keys[asked[q]];
                tokens[at + 1] = values[asked[q]];
                scored[at + 1] = true;
            }
        }
        return (tokens, scored);
    }
}
