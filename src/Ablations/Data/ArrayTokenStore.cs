namespace Ablations.Data;

/// <summary>Tokens held in memory (synthetic sources, which are regenerated from their seed rather than cached).</summary>
public sealed class ArrayTokenStore : ITokenStore
{
    readonly int[] _tokens;

    public ArrayTokenStore(int[] tokens) => _tokens = tokens;

    public long Length => _tokens.Length;

    public void Read(long offset, Span<long> destination)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = _tokens[offset + i];
    }

    public void Dispose() { }
}
