using Ablations.Common;

namespace Ablations.Data;

/// <summary>What a long pass over a corpus is doing.</summary>
public enum DataPhase
{
    /// <summary>Reading the files' bytes for the cache key.</summary>
    Hashing,
    /// <summary>Turning text into tokens in the cache.</summary>
    Tokenizing,
    /// <summary>Reading token files for ids at or above the vocabulary size.</summary>
    Checking,
}

/// <summary>
/// How far a pass over a corpus has got: bytes of its files read of the total (for a bar), tokens and bytes of
/// text tokenised so far (for rates), and the time taken. Reported a few times a second and once more, with
/// <see cref="Done"/>, at the end.
/// </summary>
public readonly record struct DataProgress(DataPhase Phase, long Bytes, long TotalBytes, long Tokens, long TextBytes, TimeSpan Elapsed, bool Done)
{
    double Seconds => Math.Max(Elapsed.TotalSeconds, 1e-9);

    /// <summary>One line: what is done so far and how fast, or at the end what was done in how long.</summary>
    public string Describe() => (Phase, Done) switch
    {
        (DataPhase.Hashing, false) => $"hashing the corpus: {Units.Bytes(Bytes)} of {Units.Bytes(TotalBytes)}, {Units.Bytes(Bytes / Seconds)}/s",
        (DataPhase.Hashing, true) => $"hashed the corpus ({Units.Bytes(TotalBytes)}) in {Elapsed.TotalSeconds:F1} s, {Units.Bytes(TotalBytes / Seconds)}/s",
        (DataPhase.Tokenizing, false) => $"tokenising the corpus: {Units.Bytes(Bytes)} of {Units.Bytes(TotalBytes)} read; {Rates}",
        (DataPhase.Tokenizing, true) => $"tokenised {Units.Bytes(TextBytes)} of text into {Units.Count(Tokens)} tokens in {Elapsed.TotalSeconds:F1} s: {Rates}",
        (_, false) => $"checking the token files: {Units.Bytes(Bytes)} of {Units.Bytes(TotalBytes)}, {Units.Count(Tokens / Seconds)} tokens/s",
        (_, true) => $"checked {Units.Count(Tokens)} tokens of the token files in {Elapsed.TotalSeconds:F1} s, {Units.Count(Tokens / Seconds)} tokens/s",
    };

    string Rates => $"{Units.Bytes(TextBytes / Seconds)}/s of text, {Units.Count(Tokens / Seconds)} tokens/s";
}
