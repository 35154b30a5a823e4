namespace Ablations.Config;

/// <summary>Where the tokens come from: the built-in corpus, the user's text files, or a synthetic task.</summary>
public enum DataSource { DotnetDocs, Text, Markov, Recall }

/// <summary>Byte-level (vocabulary 256) or GPT-2 BPE (50257, Microsoft.ML.Tokenizers).</summary>
public enum TokenizerKind { Byte, Gpt2 }

/// <summary>The training data: its source, tokenizer and validation split.</summary>
public sealed record DataConfig : IValidatable
{
    public DataSource Source { get; init; } = DataSource.DotnetDocs;
    /// <summary>Files or glob patterns (relative to the working folder) for source: text.</summary>
    public IReadOnlyList<string>? Paths { get; init; }
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Byte;
    /// <summary>Share of documents (kept whole) held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.05;
    /// <summary>Cap on corpus size in bytes of text (0 = all); the first documents in a fixed order are kept.</summary>
    public long MaxBytes { get; init; }
    public MarkovConfig Markov { get; init; } = new();
    public RecallConfig Recall { get; init; } = new();

    public IEnumerable<ConfigError> Validate()
    {
        if (!(ValidationFraction > 0 && ValidationFraction < 0.5))
            yield return new("validation_fraction", $"must be in (0, 0.5), got {ValidationFraction}");
        if (MaxBytes < 0) yield return new("max_bytes", $"must be 0 (no cap) or positive, got {MaxBytes}");
        if (Source == DataSource.Text && (Paths == null || Paths.Count == 0))
            yield return new("paths", "source: text needs paths (files or globs), e.g. paths: [\"corpus/*.txt\"]");
        if (Source != DataSource.Text && Paths != null)
            yield return new("paths", $"applies only to source: text (this source is {SnakeCase.Of(Source.ToString())})");
        foreach (var e in Markov.Validate()) yield return e with { Key = "markov." + e.Key };
        foreach (var e in Recall.Validate()) yield return e with { Key = "recall." + e.Key };
    }
}

/// <summary>
/// A random order-k Markov source over a small alphabet: each context's next-symbol distribution is drawn
/// from a symmetric Dirichlet. Its entropy rate is known, so it is the floor a model's loss can reach.
/// </summary>
public sealed record MarkovConfig : IValidatable
{
    public int Vocab { get; init; } = 16;
    public int Order { get; init; } = 2;
    /// <summary>Dirichlet concentration: small = peaked (low entropy), large = near uniform.</summary>
    public double Concentration { get; init; } = 0.3;
    public long Tokens { get; init; } = 1_000_000;
    public int Seed { get; init; } = 1234;

    public IEnumerable<ConfigError> Validate()
    {
        if (Vocab < 2 || Vocab > 256) yield return new("vocab", $"must be between 2 and 256, got {Vocab}");
        if (Order < 1 || Order > 4) yield return new("order", $"must be between 1 and 4, got {Order}");
        if (!(Concentration > 0)) yield return new("concentration", $"must be positive, got {Concentration}");
        if (Tokens < 10_000) yield return new("tokens", $"must be at least 10000, got {Tokens}");
        foreach (var e in SizeLimits.Above(("tokens", Tokens, SizeLimits.Tokens))) yield return e;
    }
}

/// <summary>
/// Associative recall: key-value pairs, filler, then queries "Q key" whose answer (the value) is scored.
/// The first query sits <c>distance</c> tokens after the first pair, so a layer whose window is shorter
/// cannot see the pairs it is asked about.
/// </summary>
public sealed record RecallConfig : IValidatable
{
    public int Keys { get; init; } = 32;
    public int Values { get; init; } = 32;
    public int Pairs { get; init; } = 8;
    public int Queries { get; init; } = 4;
    public int Distance { get; init; } = 96;
    public int Sequences { get; init; } = 20_000;
    public int Seed { get; init; } = 4321;

    public IEnumerable<ConfigError> Validate()
    {
        if (Keys < 2) yield return new("keys", $"must be at least 2, got {Keys}");
        if (Values < 2) yield return new("values", $"must be at least 2, got {Values}");
        if (Pairs < 1 || Pairs > Keys) yield return new("pairs", $"must be between 1 and keys = {Keys}, got {Pairs}");
        if (Queries < 1 || Queries > Pairs) yield return new("queries", $"must be between 1 and pairs = {Pairs}, got {Queries}");
        if (Distance < 2 * Pairs) yield return new("distance", $"must be at least 2 x pairs = {2 * Pairs} (the pairs themselves), got {Distance}");
        if (Sequences < 100) yield return new("sequences", $"must be at least 100, got {Sequences}");
        foreach (var e in SizeLimits.Above(("keys", Keys, SizeLimits.Heads), ("values", Values, SizeLimits.Heads), ("distance", Distance, SizeLimits.Context)))
            yield return e;
        if ((double)Sequences * SequenceLength > SizeLimits.Tokens)
            yield return new("sequences", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{Sequences:N0} sequences of {SequenceLength:N0} tokens exceed the {SizeLimits.Tokens:N0} tokens a task may generate"));
    }

    /// <summary>Tokens in one sequence: pairs, filler up to the distance, then "Q key value" per query.</summary>
    public int SequenceLength => Distance + 3 * Queries;
}
