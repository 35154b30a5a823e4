using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// The cache of one layer: a few tensors that grow along a time dimension (keys and values for GQA,
/// the latent and the RoPE key for MLA). A windowed layer keeps only its last <c>window</c> positions.
/// The tensors it holds are detached from any dispose scope and freed when replaced or disposed.
/// </summary>
public sealed class KvCache : IDisposable
{
    readonly long _timeDim;
    readonly int? _window;
    Tensor[]? _parts;

    public KvCache(long timeDim, int? window)
    {
        _timeDim = timeDim;
        _window = window;
    }

    /// <summary>Absolute position of the first position held.</summary>
    public long Start { get; private set; }

    public long Length => _parts == null ? 0 : _parts[0].shape[_timeDim];

    /// <summary>Bytes of tensor storage held right now.</summary>
    public long Bytes => _parts?.Sum(p => p.NumberOfElements * p.ElementSize) ?? 0;

    /// <summary>
    /// Appends new positions and returns every position to attend over (held ones first, then the new ones)
    /// with the absolute position of the first. The returned tensors belong to the caller's dispose scope.
    /// </summary>
    public (Tensor[] Parts, long Start) Append(params Tensor[] fresh)
    {
        var start = Start;
        var full = _parts == null
            ? fresh
            : _parts.Zip(fresh, (held, add) => cat(new[] { held, add }, _timeDim)).ToArray();

        var length = full[0].shape[_timeDim];
        var keep = _window is int w && length > w ? w : length;
        // Trimmed windows and the first fresh inputs (views into projection outputs) are copied so the cache holds
        // exactly its own positions; a concatenation is already a new tensor and is kept as it is.
        var fresh0 = _parts == null;
        var kept = full.Select(t => (keep < length ? t.narrow(_timeDim, length - keep, keep).clone() : fresh0 ? t.clone() : t).detach()).ToArray();
        foreach (var t in kept) t.DetachFromDisposeScope();
        Release();
        _parts = kept;
        Start = start + (length - keep);
        return (full, start);
    }

    void Release()
    {
        if (_parts == null) return;
        foreach (var t in _parts) t.Dispose();
        _parts = null;
    }

    public void Dispose() => Release();
}
