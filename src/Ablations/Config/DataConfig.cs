using static System.FormattableString;

namespace Ablations.Config;

/// <summary>
/// Where the tokens come from: the built-in corpus; the user's text files, JSON Lines or Parquet shards; token
/// files already prepared (nanoGPT's train.bin and val.bin); or a synthetic task.
/// </summary>
public enum DataSource { DotnetDocs, Text, Jsonl, Parquet, Tokens, Markov, Recall }

/// <summary>
/// Byte-level (vocabulary 256) or GPT-2 BPE (50257, Microsoft.ML.Tokenizers); for token files, none says their
/// ids come from a tokenizer of their own.
/// </summary>
public enum TokenizerKind { Byte, Gpt2, None }

/// <summary>
/// How validation is held out of a corpus of documents: auto holds out whole documents by a hash of their ids
/// (cutting a text of too few paragraphs into documents on line boundaries, and holding out the tail when even
/// that cannot be split); tail holds out the last share of the token stream, as nanoGPT's prepare scripts do.
/// </summary>
public enum DataSplit { Auto, Tail }

/// <summary>What a JSON Lines corpus does with a line that is not a JSON object: fail naming it, or skip it and count.</summary>
public enum BadLines { Fail, Skip }

/// <summary>The element type of token files: 2 bytes per id (vocabularies up to 65536) or 4.</summary>
public enum TokenDtype { Uint16, Uint32 }

/// <summary>The training data: its source, tokenizer and validation split.</summary>
public sealed record DataConfig : IValidatable
{
    public DataSource Source { get; init; } = DataSource.DotnetDocs;
    /// <summary>
    /// Files or glob patterns (relative to the working folder) for source: text, jsonl and parquet; for source:
    /// tokens a folder holding train.bin and val.bin, or the two files [train, validation].
    /// </summary>
    public IReadOnlyList<string>? Paths { get; init; }
    public TokenizerKind Tokenizer { get; init; } = TokenizerKind.Byte;
    /// <summary>Share of documents (kept whole) held out for validation, or of the tokens for split: tail.</summary>
    public double ValidationFraction { get; init; } = 0.05;
    /// <summary>Cap on corpus size in bytes of text (0 = all); the first documents in a fixed order are kept.</summary>
    public long MaxBytes { get; init; }
    public DataSplit Split { get; init; } = DataSplit.Auto;
    /// <summary>The text field of each JSON line or the text column of the Parquet shards (default text).</summary>
    public string? Field { get; init; }
    /// <summary>source: jsonl: what a line that is not a JSON object does (default fail).</summary>
    public BadLines? BadLines { get; init; }
    /// <summary>source: tokens: how many token ids there are; every id of the files must be below it.</summary>
    public int? VocabSize { get; init; }
    /// <summary>source: tokens: the files' element type (default uint16, as nanoGPT writes them).</summary>
    public TokenDtype? TokenDtype { get; init; }
    public MarkovConfig Markov { get; init; } = new();
    public RecallConfig Recall { get; init; } = new();

    /// <summary>The field (JSON Lines) or column (Parquet) that holds each document's text.</summary>
    public string TextField => Field ?? "text";

    /// <summary>Whether the source is a corpus of text that the tokenizer turns into tokens.</summary>
    public bool IsText => Source is DataSource.DotnetDocs or DataSource.Text or DataSource.Jsonl or DataSource.Parquet;

    public IEnumerable<ConfigError> Validate()
    {
        var source = SnakeCase.Of(Source.ToString());
        if (!(ValidationFraction > 0 && ValidationFraction < 0.5))
            yield return new("validation_fraction", $"must be in (0, 0.5), got {ValidationFraction}");
        if (MaxBytes < 0) yield return new("max_bytes", $"must be 0 (no cap) or positive, got {MaxBytes}");
        var needsPaths = Source is DataSource.Text or DataSource.Jsonl or DataSource.Parquet or DataSource.Tokens;
        if (needsPaths && (Paths == null || Paths.Count == 0))
            yield return new("paths", Source switch
            {
                DataSource.Tokens => "source: tokens needs paths: a folder holding train.bin and val.bin, e.g. paths: [\"data/openwebtext\"]",
                DataSource.Jsonl => "source: jsonl needs paths (files or globs), e.g. paths: [\"corpus/*.jsonl.gz\"]",
                DataSource.Parquet => "source: parquet needs paths (files or globs), e.g. paths: [\"corpus/*.parquet\"]",
                _ => "source: text needs paths (files or globs), e.g. paths: [\"corpus/*.txt\"]",
            });
        if (!needsPaths && Paths != null)
            yield return new("paths", $"applies only to source: text | jsonl | parquet | tokens (this source is {source})");
        if (Field != null && Source is not (DataSource.Jsonl or DataSource.Parquet))
            yield return new("field", $"applies only to source: jsonl | parquet (this source is {source})");
        if (Field is { Length: 0 }) yield return new("field", "must name a field, e.g. field: text");
        if (BadLines != null && Source != DataSource.Jsonl)
            yield return new("bad_lines", $"applies only to source: jsonl (this source is {source})");
        if (Split == DataSplit.Tail && !IsText)
            yield return new("split", Source == DataSource.Tokens
                ? "applies to corpora of text; token files are split by their train.bin and val.bin"
                : $"applies to corpora of text; a synthetic source ({source}) generates its validation set");
        foreach (var e in TokenFileErrors(source)) yield return e;
        foreach (var e in Markov.Validate()) yield return e with { Key = "markov." + e.Key };
        foreach (var e in Recall.Validate()) yield return e with { Key = "recall." + e.Key };
    }

    /// <summary>The keys of source: tokens, which only it takes, and the tokenizer each source allows.</summary>
    IEnumerable<ConfigError> TokenFileErrors(string source)
    {
        if (Source != DataSource.Tokens)
        {
            if (VocabSize != null) yield return new("vocab_size", $"applies only to source: tokens (this source is {source}, whose vocabulary its tokenizer or task gives)");
            if (TokenDtype != null) yield return new("token_dtype", $"applies only to source: tokens (this source is {source})");
            if (Tokenizer == TokenizerKind.None && IsText) yield return new("tokenizer", $"source: {source} needs a tokenizer: byte | gpt2 (none is for token files)");
            yield break;
        }
        if (MaxBytes > 0) yield return new("max_bytes", "applies to corpora of text; token files are used whole");
        if (VocabSize is not int vocab)
        {
            yield return new("vocab_size", "source: tokens needs vocab_size, the number of token ids (50257 for GPT-2's BPE, 65 for nanoGPT's shakespeare_char)");
            yield break;
        }
        if (vocab < 2) yield return new("vocab_size", $"must be at least 2, got {vocab}");
        foreach (var e in SizeLimits.Above(("vocab_size", vocab, SizeLimits.Vocabulary))) yield return e;
        if (TokenDtype is null or Config.TokenDtype.Uint16 && vocab > 65536)
            yield return new("token_dtype", Invariant($"uint16 holds ids below 65,536 but vocab_size is {vocab:N0}; set token_dtype: uint32"));
        var most = Tokenizer switch { TokenizerKind.Byte => 256, TokenizerKind.Gpt2 => 50257, _ => int.MaxValue };
        if (vocab > most)
            yield return new("tokenizer", Invariant($"the {SnakeCase.Of(Tokenizer.ToString())} tokenizer has {most:N0} ids but vocab_size is {vocab:N0}; ") +
                                          "name the tokenizer that made the files (gpt2), or none for ids of another tokenizer");
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

    /// <summary>
    /// The most probabilities the transition table holds, vocab^(order + 1): 2^24 doubles (128 MiB), which also
    /// bounds each step of the entropy rate's power iteration; vocab 256 at order 2 is the largest square table.
    /// </summary>
    public const long MostEntries = 1L << 24;
    /// <summary>
    /// The concentrations sampled: below 1e-6 every row is one-hot already (the other draws are u^(1/concentration)
    /// of the largest, under the 1e-12 floor), so a smaller value changes nothing; above 1e6 every row is uniform
    /// within 0.1% (a Dirichlet's spread is about 1/sqrt(concentration)). Both ends are far from where float64 or the
    /// log-space sampler fail (about 1e-307 and 1e300).
    /// </summary>
    public const double LeastConcentration = 1e-6, MostConcentration = 1e6;

    /// <summary>The chain's contexts, vocab^order (the table's rows); bounded by <see cref="MostEntries"/>.</summary>
    public long Contexts => (long)Math.Pow(Vocab, Order);

    public IEnumerable<ConfigError> Validate()
    {
        if (Vocab < 2 || Vocab > 256) yield return new("vocab", $"must be between 2 and 256, got {Vocab}");
        if (Order < 1 || Order > 4) yield return new("order", $"must be between 1 and 4, got {Order}");
        if (!(Concentration >= LeastConcentration && Concentration <= MostConcentration))
            yield return new("concentration",
                Invariant($"must be between {LeastConcentration:G} and {MostConcentration:G}, got {Concentration:G}"));
        if (Tokens < 10_000) yield return new("tokens", $"must be at least 10000, got {Tokens}");
        foreach (var e in SizeLimits.Above(("tokens", Tokens, SizeLimits.Tokens))) yield return e;
        if (Vocab is >= 2 and <= 256 && Order is >= 1 and <= 4
            && SizeLimits.Power("order", "the transition table's size", MostEntries,
                ("vocab", Vocab), ("order + 1", Order + 1)) is { } table)
            yield return table;
    }
}

/// <summary>
/// Which recall task: <c>copy</c> (a segment of distinct keys recalled after a gap: every token of the repeat asks
/// "what followed this key?", a dense signal that global attention learns at CPU scale) or <c>mqar</c> (Zoology's
/// multi-query associative recall: key-value pairs, then queries of some of the keys; content lookup with a sparse
/// signal, which needs far more training than a CPU run gives).
/// </summary>
public enum RecallKind { Copy, Mqar }

/// <summary>
/// Associative recall at a distance. copy: <c>pairs + 1</c> distinct keys, filler up to <c>distance</c>, then the
/// same keys again, each repeated key's successor scored. mqar: <c>pairs</c> "key value" pairs, filler up to
/// <c>distance</c>, then <c>queries</c> "key value" queries whose value is scored. Either way every answer sits at
/// least <c>distance - pairs</c> tokens back, so a layer whose window is shorter cannot see what it is asked about.
/// </summary>
public sealed record RecallConfig : IValidatable
{
    public RecallKind Kind { get; init; } = RecallKind.Copy;
    public int Keys { get; init; } = 32;
    /// <summary>mqar only: the value alphabet.</summary>
    public int Values { get; init; } = 32;
    public int Pairs { get; init; } = 8;
    /// <summary>mqar only: how many of the pairs are asked.</summary>
    public int Queries { get; init; } = 4;
    public int Distance { get; init; } = 96;
    public int Sequences { get; init; } = 20_000;
    public int Seed { get; init; } = 4321;

    public IEnumerable<ConfigError> Validate()
    {
        if (Keys < 2) yield return new("keys", $"must be at least 2, got {Keys}");
        if (Values < 2) yield return new("values", $"must be at least 2, got {Values}");
        var most = Kind == RecallKind.Copy ? Keys - 1 : Keys;   // copy's segment holds pairs + 1 distinct keys
        if (Pairs < 1 || Pairs > most) yield return new("pairs", $"must be between 1 and {(Kind == RecallKind.Copy ? "keys - 1" : "keys")} = {most}, got {Pairs}");
        if (Kind == RecallKind.Mqar && (Queries < 1 || Queries > Pairs)) yield return new("queries", $"must be between 1 and pairs = {Pairs}, got {Queries}");
        if (Distance < FirstQuery) yield return new("distance", $"must be at least {FirstQuery} ({(Kind == RecallKind.Copy ? "the segment of pairs + 1 keys" : "2 x pairs, the pairs themselves")}), got {Distance}");
        if (Sequences < 100) yield return new("sequences", $"must be at least 100, got {Sequences}");
        foreach (var e in SizeLimits.Above(("keys", Keys, SizeLimits.Heads), ("values", Values, SizeLimits.Heads), ("distance", Distance, SizeLimits.Context)))
            yield return e;
        if (SizeLimits.Product("sequences", "the tokens a task may generate", SizeLimits.Tokens,
                ("sequences", Sequences), ("tokens per sequence", SequenceLength)) is { } tokens)
            yield return tokens;
    }

    /// <summary>Where the pairs end: copy's segment of pairs + 1 keys, or mqar's pairs of two tokens.</summary>
    int FirstQuery => Kind == RecallKind.Copy ? Pairs + 1 : 2 * Pairs;

    /// <summary>Tokens in one sequence: the pairs, filler up to the distance, then the repeat (copy) or the queries (mqar).</summary>
    public int SequenceLength => Distance + (Kind == RecallKind.Copy ? Pairs + 1 : 2 * Queries);

    /// <summary>How many symbols an answer is drawn from: keys for copy, values for mqar (guessing costs its log).</summary>
    public int AnswerAlphabet => Kind == RecallKind.Copy ? Keys : Values;

    /// <summary>Scored answers per sequence.</summary>
    public int Answers => Kind == RecallKind.Copy ? Pairs : Queries;
}
