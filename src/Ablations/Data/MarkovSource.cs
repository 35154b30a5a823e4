using Ablations.Config;

namespace Ablations.Data;

/// <summary>
/// A random order-k Markov chain over a small alphabet; symbols are the tokens. The transition table of each
/// context is drawn from a symmetric Dirichlet; the exact entropy rate (the lowest loss any model can reach,
/// in nats per token) comes from the stationary distribution of the chain over contexts. At a small concentration
/// every Gamma draw of a row can underflow to zero (each is a power 1/concentration of a uniform number): such a row
/// is drawn again from the same numbers in log space, where it cannot, and a row that is not a distribution stops
/// the run instead of training on NaN.
/// </summary>
public sealed class MarkovSource
{
    readonly MarkovConfig _config;
    readonly double[][] _next;   // [context][symbol], context = last `order` symbols as a base-V number

    /// <param name="cancel">Checked per row and per step of the entropy rate's power iteration.</param>
    public MarkovSource(MarkovConfig config, CancellationToken cancel = default)
    {
        _config = config;
        var rng = new Random(config.Seed);
        var contexts = checked((int)config.Contexts);   // validation holds the table within MarkovConfig.MostEntries
        _next = new double[contexts][];
        for (int c = 0; c < contexts; c++)
        {
            if (c % 4096 == 0) cancel.ThrowIfCancellationRequested();
            var draws = Enumerable.Range(0, config.Vocab).Select(_ => Gamma(rng, config.Concentration)).ToArray();
            var g = draws.Select(d => d.Value).ToArray();
            var sum = g.Sum();
            if (!(sum > 0 && double.IsFinite(sum)))
            {
                // Every draw underflowed (or one overflowed): the same draws, scaled by the largest, in log space.
                var top = draws.Max(d => d.Log);
                g = draws.Select(d => Math.Exp(d.Log - top)).ToArray();
                sum = g.Sum();
            }
            _next[c] = g.Select(x => Math.Max(x / sum, 1e-12)).ToArray();
            var renorm = _next[c].Sum();
            for (int i = 0; i < config.Vocab; i++) _next[c][i] /= renorm;
            if (!_next[c].All(p => p > 0 && p <= 1))
                throw new DataException(
                    $"the Markov source's row {c} is not a distribution at concentration {config.Concentration:G6}",
                    "data.markov.concentration");
        }
        EntropyRate = ComputeEntropyRate(cancel);
    }

    /// <summary>Nats per token: sum over contexts of pi(context) H(next | context).</summary>
    public double EntropyRate { get; }

    /// <summary>A sample path of <paramref name="length"/> symbols.</summary>
    public int[] Sample(long length, int seed, CancellationToken cancel = default)
    {
        var rng = new Random(seed);
        var tokens = new int[length];
        int contexts = _next.Length, context = rng.Next(contexts);
        for (long t = 0; t < length; t++)
        {
            if ((t & 0xFFFFF) == 0) cancel.ThrowIfCancellationRequested();
            var p = _next[context];
            var u = rng.NextDouble();
            int s = 0;
            for (double acc = p[0]; acc < u && s < p.Length - 1; acc += p[++s]) { }
            tokens[t] = s;
            context = (context * _config.Vocab + s) % contexts;
        }
        return tokens;
    }

    double ComputeEntropyRate(CancellationToken cancel)
    {
        int contexts = _next.Length, v = _config.Vocab;
        var pi = Enumerable.Repeat(1.0 / contexts, contexts).ToArray();
        for (int iter = 0; iter < 2000; iter++)
        {
            cancel.ThrowIfCancellationRequested();
            var nextPi = new double[contexts];
            for (int c = 0; c < contexts; c++)
                for (int s = 0; s < v; s++)
                    nextPi[(c * v + s) % contexts] += pi[c] * _next[c][s];
            var delta = pi.Zip(nextPi, (a, b) => Math.Abs(a - b)).Sum();
            pi = nextPi;
            if (delta < 1e-13) break;
        }
        double h = 0;
        for (int c = 0; c < contexts; c++)
            h += pi[c] * -_next[c].Sum(p => p * Math.Log(p));
        return h;
    }

    /// <summary>
    /// Marsaglia-Tsang gamma sampler (with the boost for shape below 1): the draw and its logarithm, from the same
    /// uniform numbers. The draw is what the table has always been built from; the logarithm stays finite where the
    /// draw underflows (u^(1/shape) for a small shape), down to a shape of about 1e-307.
    /// </summary>
    static (double Value, double Log) Gamma(Random rng, double shape)
    {
        if (shape < 1)
        {
            var (g, log) = Gamma(rng, shape + 1);
            var u = rng.NextDouble();
            return (g * Math.Pow(u, 1 / shape), log + Math.Log(u) / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
                return (d * v, Math.Log(d * v));
        }
    }

    static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
