using Ablations.Config;

namespace Ablations.Data;

/// <summary>
/// Associative recall sequences: "k1 v1 ... kn vn", filler up to the distance, then per query "Q k v" with only
/// v scored. Keys are drawn without replacement per sequence; values freely. Token layout: keys [0, K),
/// values [K, K+V), filler [K+V, K+V+F), then the query marker. A model without access to the pairs can only
/// guess: ln(V) nats per answer; one that sees them can reach 0.
/// </summary>
public sealed class RecallTask
{
    public const int FillerSymbols = 16;
    readonly RecallConfig _c;

    public RecallTask(RecallConfig config) => _c = config;

    public int VocabSize => _c.Keys + _c.Values + FillerSymbols + 1;
    int QueryToken => _c.Keys + _c.Values + FillerSymbols;

    /// <summary>Loss of a model that cannot see the pairs, per scored token: ln(values).</summary>
    public double GuessLoss => Math.Log(_c.Values);

    /// <summary>
    /// Sequences of <see cref="RecallConfig.SequenceLength"/> tokens with a parallel "scored" flag; the flag marks
    /// a token whose prediction (from the token before it) counts in the loss.
    /// </summary>
    public (int[] Tokens, bool[] Scored) Generate(int count, int seed)
    {
        var rng = new Random(seed);
        int length = _c.SequenceLength;
        var tokens = new int[count * length];
        var scored = new bool[count * length];
        var keys = Enumerable.Range(0, _c.Keys).ToArray();
        for (int s = 0; s < count; s++)
        {
            var o = s * length;
            rng.Shuffle(keys);
            var values = Enumerable.Range(0, _c.Pairs).Select(_ => _c.Keys + rng.Next(_c.Values)).ToArray();
            for (int p = 0; p < _c.Pairs; p++)
            {
                tokens[o + 2 * p] = keys[p];
                tokens[o + 2 * p + 1] = values[p];
            }
            for (int f = 2 * _c.Pairs; f < _c.Distance; f++)
                tokens[o + f] = _c.Keys + _c.Values + rng.Next(FillerSymbols);
            var asked = Enumerable.Range(0, _c.Pairs).OrderBy(_ => rng.Next()).Take(_c.Queries).ToArray();
            for (int q = 0; q < _c.Queries; q++)
            {
                var at = o + _c.Distance + 3 * q;
                tokens[at] = QueryToken;
                tokens[at + 1] = keys[asked[q]];
                tokens[at + 2] = values[asked[q]];
                scored[at + 2] = true;
            }
        }
        return (tokens, scored);
    }
}
