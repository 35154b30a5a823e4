using TorchSharp;
using System.Globalization;
using Ablations.Config;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Attention;

/// <summary>
/// The attention family, chosen by <c>kind:</c>: grouped-query attention (mha, gqa, mqa) or multi-head latent
/// attention (mla). Every kind shares the head count and the sliding-window pattern (window size plus a
/// local:global ratio or an explicit per-layer list; global everywhere when absent); each record validates its
/// own keys, builds its module for a layer and counts its parameters and cached elements per token.
/// </summary>
public abstract record AttentionConfig : IValidatable
{
    public AttentionKind Kind { get; init; }
    public int NHeads { get; init; } = 4;

    /// <summary>Sliding-window size in tokens for local layers (each token sees itself and window-1 before it).</summary>
    public int? Window { get; init; }
    /// <summary>"L:G": L local layers then G global ones, repeated (Gemma 3: "5:1").</summary>
    public string? LocalGlobal { get; init; }
    /// <summary>Explicit per-layer spans, repeated when shorter than the layer count.</summary>
    public IReadOnlyList<LayerAttentionSpan>? LayerPattern { get; init; }

    /// <summary>
    /// Gemma 2's attention-logit soft-cap: scores become cap * tanh(scores / cap) before the softmax (50 in Gemma 2).
    /// Absent: no cap, and layers keep libtorch's fused kernel.
    /// </summary>
    public double? LogitSoftcap { get; init; }

    /// <summary>One layer's attention module, its kernel chosen for <paramref name="device"/>.</summary>
    public abstract CausalSelfAttention Build(ModelConfig model, LayerSpec layer, DeviceType device);

    /// <summary>Parameters of one layer's attention.</summary>
    public abstract long ParameterCount(ModelConfig model);

    /// <summary>Elements one layer caches per token.</summary>
    public abstract long KvElementsPerToken(ModelConfig model);

    /// <summary>Query-key width and value width per head, for attention-score FLOPs.</summary>
    public abstract (long Qk, long V) HeadWidths(ModelConfig model);

    /// <summary>Width of the rotated part of each query/key head, and the key that sets it (for errors).</summary>
    public abstract (long Dim, string Key) RopeDim(ModelConfig model);

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

    public virtual IEnumerable<ConfigError> Validate()
    {
        if (NHeads <= 0) yield return new("n_heads", $"must be a positive integer, got {NHeads}");
        if (Window is <= 0) yield return new("window", $"must be a positive number of tokens, got {Window}");
        foreach (var e in SizeLimits.Above(("n_heads", NHeads, SizeLimits.Heads), ("window", Window, SizeLimits.Context))) yield return e;
        if (LocalGlobal != null && LayerPattern != null)
            yield return new("local_global", "give either local_global or layer_pattern, not both");
        if (LocalGlobal != null && !TryParseRatio(LocalGlobal, out _, out _))
            yield return new("local_global", $"'{LocalGlobal}' is not a ratio; allowed: \"L:G\" with non-negative integers, e.g. \"5:1\"");
        if ((LocalGlobal != null || LayerPattern != null) && Window == null)
            yield return new("window", "a local:global pattern needs window (the local layers' span in tokens)");
        if (LogitSoftcap is double cap && !(cap > 0 && double.IsFinite(cap)))
            yield return new("logit_softcap", $"must be a positive number (e.g. 50), got {cap}");
        if (LayerPattern is { Count: 0 }) yield return new("layer_pattern", "must list at least one of local | global");
        foreach (var e in ConfigFamily.StrayKeys(this)) yield return e;
    }

    /// <summary>Checks that need the rest of the model (d_model); keys relative to this record.</summary>
    public virtual IEnumerable<ConfigError> ValidateIn(ModelConfig model) => Array.Empty<ConfigError>();
}
