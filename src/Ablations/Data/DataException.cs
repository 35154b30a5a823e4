namespace Ablations.Data;

/// <summary>
/// Data that cannot be used: an empty corpus, an unreadable file, sequences longer than the data. Names the
/// configuration key it concerns (data.paths, data.source, ...), so that a command can point at the line of the
/// configuration file that set it; Data itself knows no files of configuration.
/// </summary>
public sealed class DataException : Exception
{
    /// <summary>The dotted configuration key the problem concerns, or null when it is none (a damaged cache).</summary>
    public string? Key { get; }
    /// <summary>What is wrong, without the key.</summary>
    public string Reason { get; }

    public DataException(string reason, string? key = null) : base(key != null ? $"{key}: {reason}" : reason)
    {
        Key = key;
        Reason = reason;
    }
}
