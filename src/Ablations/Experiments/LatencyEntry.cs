using Ablations.Config;

namespace Ablations.Experiments;

/// <summary>
/// latency: after training, decode speed and the KV cache held with the cache filled to a long context, per
/// variant (the article's point that a smaller cache need not mean lower latency). Measured once, alone, in the
/// process that ran the experiment, and kept in the experiment folder (latency.json) so the report reads it back.
/// </summary>
public sealed record LatencyEntry : IValidatable
{
    /// <summary>Positions in the cache when decoding is timed (the models' context is raised to it).</summary>
    public int Context { get; init; } = 4096;
    /// <summary>Timed decode steps per variant, taken in turn across the variants.</summary>
    public int Tokens { get; init; } = 32;
    /// <summary>Decode steps per variant before timing.</summary>
    public int Warmup { get; init; } = 4;
    /// <summary>The variants measured; all when empty.</summary>
    public IReadOnlyList<string> Variants { get; init; } = Array.Empty<string>();
    /// <summary>The point of the sweep's axes (other than a tuned key) whose configuration is measured; "" without a sweep.</summary>
    public string At { get; init; } = "";

    public IEnumerable<ConfigError> Validate()
    {
        if (Context < 2) yield return new("context", $"must be at least 2 positions, got {Context}");
        if (Tokens < 1) yield return new("tokens", $"must be at least 1, got {Tokens}");
        if (Warmup < 0) yield return new("warmup", $"must be 0 or more, got {Warmup}");
        if (SizeLimits.Above(("context", Context, SizeLimits.Context)).FirstOrDefault() is { } tooLong) yield return tooLong;
        else if (SizeLimits.Sum("tokens", "warm-up and timed tokens", SizeLimits.Context, ("warmup", Warmup), ("tokens", Tokens)) is { } tooMany)
            yield return tooMany;
        else if ((long)Tokens + Warmup >= Context) yield return new("tokens", $"warm-up and timed tokens ({Warmup} + {Tokens}) must leave room for a prompt in the context of {Context}");
    }
}
