namespace Ablations.Data;

/// <summary>Data that cannot be used: an empty corpus, an unreadable file, sequences longer than the data.</summary>
public sealed class DataException : Exception
{
    public DataException(string message) : base(message) { }
}
