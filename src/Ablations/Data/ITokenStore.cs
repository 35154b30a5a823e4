namespace Ablations.Data;

/// <summary>A read-only run of token ids, in memory or memory-mapped from the token cache.</summary>
public interface ITokenStore : IDisposable
{
    long Length { get; }
    /// <summary>Copies tokens [offset, offset + destination.Length) into destination.</summary>
    void Read(long offset, Span<long> destination);
}
