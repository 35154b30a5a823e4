namespace Ablations.Analysis;

/// <summary>What a configuration costs, computed from the configuration alone (no tensors).</summary>
public sealed record Inspection
{
    public required IReadOnlyList<ParameterRow> Parameters { get; init; }
    public long TotalParameters => Parameters.Sum(r => r.Total);
    public long ActiveParameters => Parameters.Sum(r => r.Active);
    /// <summary>Without the token and position embeddings and the (untied) output head.</summary>
    public long TotalWithoutEmbeddings => Parameters.Where(r => !r.IsEmbedding).Sum(r => r.Total);
    public long ActiveWithoutEmbeddings => Parameters.Where(r => !r.IsEmbedding).Sum(r => r.Active);
    /// <summary>Per-layer embedding tables (Gemma 3n's PLE): kept off the accelerator, so Google's "effective" count leaves them out.</summary>
    public long PerLayerEmbeddingParameters => Parameters.Where(r => r.IsPerLayerEmbedding).Sum(r => r.Total);
    /// <summary>All parameters but the per-layer embedding tables: Gemma 3n's "effective" count (the raw count is <see cref="TotalParameters"/>).</summary>
    public long EffectiveParameters => TotalParameters - PerLayerEmbeddingParameters;

    public required int Layers { get; init; }
    public required int LocalLayers { get; init; }
    public required int MoeLayers { get; init; }
    public required string DType { get; init; }
    public required int BytesPerElement { get; init; }
    /// <summary>Elements cached per token, summed over layers, before any window fills.</summary>
    public required long KvElementsPerToken { get; init; }
    public long KvBytesPerToken => KvElementsPerToken * BytesPerElement;
    public required long Context { get; init; }
    /// <summary>Bytes cached for one sequence of <see cref="Context"/> tokens, local layers capped at their window.</summary>
    public required long KvBytesAtContext { get; init; }
    /// <summary>Forward FLOPs per token averaged over a sequence of <see cref="Context"/> tokens: matrix products plus attention scores.</summary>
    public required double FlopsPerToken { get; init; }
    public required double MatmulFlopsPerToken { get; init; }
    public required double AttentionFlopsPerToken { get; init; }
}
