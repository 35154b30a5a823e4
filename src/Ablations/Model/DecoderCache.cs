using Ablations.Model.Attention;

namespace Ablations.Model;

/// <summary>The KV cache of a whole decoder: one per layer, and how many positions have been fed so far.</summary>
public sealed class DecoderCache : IDisposable
{
    public DecoderCache(IReadOnlyList<KvCache> layers) => Layers = layers;

    public IReadOnlyList<KvCache> Layers { get; }

    /// <summary>Positions fed so far; the absolute position of the next token.</summary>
    public long Position { get; internal set; }

    /// <summary>Bytes actually held by every layer's cache tensors.</summary>
    public long Bytes => Layers.Sum(l => l.Bytes);

    public void Dispose()
    {
        foreach (var l in Layers) l.Dispose();
    }
}
