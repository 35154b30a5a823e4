using System.Globalization;

namespace Ablations.Config;

/// <summary>
/// Attention of every layer: its kind and shapes, QK-Norm, and the sliding-window pattern
/// (window size plus a local:global ratio or an explicit per-layer list; global everywhere when absent).
/// </summary>
public sealed record AttentionConfig : IValidatable
{
    public AttentionKind Kind { get; init; } = AttentionKind.Mha;
    public int NHeads { get; init; } = 4;
    /// <summary>Key/value heads: n_heads for mha, 1 for mqa, required for gqa; unused by mla.</summary>
    public int? NKvHeads { get; init; }
    /// <summary>Per-head width; d_model / n_heads when absent. Unused by mla.</summary>
    public int? HeadDim { get; init; }

    // Multi-head latent attention (DeepSeek-V2/V3) only.
    /// <summary>Query compression rank; 0 projects queries directly from the hidden state.</summary>
    public int? QLoraRank { get; init; }
    public int? KvLoraRank { get; init; }
    public int? QkNopeHeadDim { get; init; }
    public int? QkRopeHeadDim { get; init; }
    public int? VHeadDim { get; init; }

    /// <summary>RMSNorm on queries and keys (per head) before RoPE (arXiv 2302.05442; OLMo 2, Gemma 3).</summary>
    public bool QkNorm { get; init; }

    /// <summary>Sliding-window size in tokens for local layers (each token sees itself and window-1 before it).</summary>
    public int? Window { get; init; }
    /// <summary>"L:G": L local layers then G global ones, repeated (Gemma 3: "5:1").</summary>
    public string? LocalGlobal { get; init; }
    /// <summary>Explicit per-layer spans, repeated when shorter than the layer count.</summary>
    public IReadOnlyList<LayerAttentionSpan>? LayerPattern { get; init; }

    public int ResolvedNKvHeads => Kind switch
    {
        AttentionKind.Mha => NKvHeads ?? NHeads,
        AttentionKind.Mqa => NKvHeads ?? 1,
        AttentionKind.Mla => NHeads,
        _ => NKvHeads ?? NHeads,
    };

    public int ResolvedHeadDim(int dModel) => HeadDim ?? dModel / NHeads;

    /// <summary>Width of the rotated part of each query/key head.</summary>
    public int RopeDim(int dModel) => Kind == AttentionKind.Mla ? QkRopeHeadDim ?? 0 : ResolvedHeadDim(dModel);

    /// <summary>The span pattern, one cycle long, or null when every layer is global.</summary>
    public IReadOnlyList<LayerAttentionSpan>? Pattern()
    {
        if (LayerPattern != null) return LayerPattern;
        if (LocalGlobal != null && TryParseRatio(LocalGlobal, out var local, out var global))
            return Enumerable.Repeat(LayerAttentionSpan.Local, local).Concat(Enumerable.Repeat(LayerAttentionSpan.Global, global)).ToList();
        if (Window != null) return new[] { LayerAttentionSpan.Local };
        return null;
    }

    static bool TryParseRatio(string text, out int local, out int global)
    {
        local = global = 0;
        var parts = text.Split(':');
        return parts.Length == 2
               && int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out local)
               && int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out global)
               && local + global > 0;
    }

    public IEnumerable<ConfigError> Validate()
    {
        if (NHeads <= 0) yield return new("n_heads", $"must be a positive integer, got {NHeads}");
        if (HeadDim is <= 0) yield return new("head_dim", $"must be a positive integer, got {HeadDim}");
        switch (Kind)
        {
            case AttentionKind.Mha when NKvHeads != null && NKvHeads != NHeads:
                yield return new("n_kv_heads", $"mha uses one key/value head per query head: n_kv_heads must equal n_heads = {NHeads} (or use kind: gqa)");
                break;
            case AttentionKind.Mqa when NKvHeads != null && NKvHeads != 1:
                yield return new("n_kv_heads", $"mqa shares one key/value head: n_kv_heads must be 1 (or use kind: gqa), got {NKvHeads}");
                break;
            case AttentionKind.Gqa when NKvHeads == null:
                yield return new("n_kv_heads", "gqa needs n_kv_heads (a divisor of n_heads)");
                break;
            case AttentionKind.Gqa when NKvHeads <= 0 || NHeads % NKvHeads!.Value != 0:
                yield return new("n_kv_heads", $"n_heads = {NHeads} is not divisible by n_kv_heads = {NKvHeads}; allowed: {string.Join(", ", Divisors(NHeads))}");
                break;
        }
        var mlaKeys = new (string Key, int? Value)[]
        {
            ("q_lora_rank", QLoraRank), ("kv_lora_rank", KvLoraRank), ("qk_nope_head_dim", QkNopeHeadDim),
            ("qk_rope_head_dim", QkRopeHeadDim), ("v_head_dim", VHeadDim),
        };
        if (Kind == AttentionKind.Mla)
        {
            if (NKvHeads != null) yield return new("n_kv_heads", "mla has no n_kv_heads: its keys and values come from the shared latent (kv_lora_rank)");
            if (HeadDim != null) yield return new("head_dim", "mla has no head_dim: set qk_nope_head_dim, qk_rope_head_dim and v_head_dim");
            foreach (var (key, value) in mlaKeys.Skip(1))
                if (value is null or <= 0) yield return new(key, $"mla needs {key} as a positive integer");
            if (QLoraRank is < 0) yield return new("q_lora_rank", "must be 0 (no query compression) or a positive rank");
            if (QkNorm) yield return new("qk_norm", "applies to mha | gqa | mqa; mla already normalises its query and key/value latents");
        }
        else
        {
            foreach (var (key, value) in mlaKeys)
                if (value != null) yield return new(key, $"applies only to kind: mla (this attention is {SnakeCase.Of(Kind.ToString())})");
        }

        if (Window is <= 0) yield return new("window", $"must be a positive number of tokens, got {Window}");
        if (LocalGlobal != null && LayerPattern != null)
            yield return new("local_global", "give either local_global or layer_pattern, not both");
        if (LocalGlobal != null && !TryParseRatio(LocalGlobal, out _, out _))
            yield return new("local_global", $"'{LocalGlobal}' is not a ratio; allowed: \"L:G\" with non-negative integers, e.g. \"5:1\"");
        if ((LocalGlobal != null || LayerPattern != null) && Window == null)
            yield return new("window", "a local:global pattern needs window (the local layers' span in tokens)");
        if (LayerPattern is { Count: 0 }) yield return new("layer_pattern", "must list at least one of local | global");
    }

    static IEnumerable<int> Divisors(int n) => Enumerable.Range(1, Math.Max(n, 1)).Where(d => n % d == 0);
}
