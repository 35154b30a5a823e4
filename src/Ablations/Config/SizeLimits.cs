using System.Globalization;

namespace Ablations.Config;

/// <summary>
/// Upper bounds on the keys that size a model or a data set: far above any published model, yet low enough that
/// every count fits a 64-bit integer and a mistyped value (n_layers: 2000000000) fails at load instead of
/// hanging the inspector or overflowing an array.
/// </summary>
public static class SizeLimits
{
    /// <summary>n_layers (published models: under 200).</summary>
    public const int Layers = 1_000_000;
    /// <summary>d_model and moe.expert_hidden (published: up to about 20,000).</summary>
    public const int Width = 1 << 20;
    /// <summary>vocab_size (published: up to about 260,000).</summary>
    public const int Vocabulary = 1 << 24;
    /// <summary>context_length and window, in tokens (published: up to about 10 million).</summary>
    public const int Context = 1 << 24;
    /// <summary>feed_forward.hidden.</summary>
    public const int Hidden = 1 << 24;
    /// <summary>Head counts and head widths, MLA ranks, moe.n_experts, per-layer embedding width.</summary>
    public const int Heads = 1 << 16;
    /// <summary>Parameters of a whole model: 1,000 T, some 500 times the largest published.</summary>
    public const double Parameters = 1e15;
    /// <summary>Sequences in one step (batch_size x grad_accum) or one validation set (batches x batch size).</summary>
    public const long Sequences = 1 << 30;
    /// <summary>Tokens a run trains on in all (steps x sequences per step x sequence length): a count kept in a long.</summary>
    public const long TrainingTokens = 1_000_000_000_000_000;
    /// <summary>Tokens a synthetic data set generates (one array of them is held in memory).</summary>
    public const long Tokens = 1_000_000_000;

    /// <summary>An error for each (key, value, limit) whose value is above its limit, naming the limit.</summary>
    public static IEnumerable<ConfigError> Above(params (string Key, long? Value, long Limit)[] sizes)
    {
        foreach (var (key, value, limit) in sizes)
            if (value > limit)
                yield return new(key, string.Create(CultureInfo.InvariantCulture, $"must be at most {limit:N0}, got {value:N0}"));
    }

    /// <summary>
    /// The one check for a product of settings (vocab^order, batches x batch size, tokens + warm-up...): computed
    /// without overflow, an error on <paramref name="key"/> naming the factors when it is above
    /// <paramref name="limit"/>; null when it fits. Validation calls it before any code multiplies the values.
    /// </summary>
    public static ConfigError? Product(string key, string what, long limit, params (string Key, double Value)[] factors)
    {
        var product = 1.0;
        foreach (var (_, value) in factors) product *= value;
        if (product <= limit) return null;
        var parts = string.Join(" x ", factors.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key} {f.Value:N0}")));
        return new(key, string.Create(CultureInfo.InvariantCulture, $"{what} ({parts}) must be at most {limit:N0}, got about {product:G3}"));
    }

    /// <summary><see cref="Product"/> for a power: base^exponent (a Markov source's states, vocab^order).</summary>
    public static ConfigError? Power(string key, string what, long limit, (string Key, double Value) b, (string Key, int Value) exponent)
    {
        var value = Math.Pow(b.Value, exponent.Value);
        return value <= limit ? null : new(key, string.Create(CultureInfo.InvariantCulture,
            $"{what} ({b.Key} {b.Value:N0} to the power {exponent.Key} {exponent.Value}) must be at most {limit:N0}, got about {value:G3}"));
    }

    /// <summary>A sum of settings (latency tokens + warm-up...), checked like <see cref="Product"/>.</summary>
    public static ConfigError? Sum(string key, string what, long limit, params (string Key, double Value)[] terms)
    {
        var sum = terms.Sum(t => t.Value);
        if (sum <= limit) return null;
        var parts = string.Join(" + ", terms.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value:N0}")));
        return new(key, string.Create(CultureInfo.InvariantCulture, $"{what} ({parts}) must be at most {limit:N0}, got about {sum:G3}"));
    }
}
