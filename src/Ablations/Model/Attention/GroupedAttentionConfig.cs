using TorchSharp;
using Ablations.Config;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Attention;

/// <summary>
/// Grouped-query attention (arXiv 2305.13245) and its two cases: mha (one key/value head per query head) and
/// mqa (one key/value head for all). Only gqa takes n_kv_heads.
/// </summary>
[ConfigKind(AttentionKind.Mha, AttentionKind.Gqa, AttentionKind.Mqa)]
public sealed record GroupedAttentionConfig : AttentionConfig
{
    /// <summary>Key/value heads of gqa, a divisor of n_heads.</summary>
    [OnlyForKinds(AttentionKind.Gqa)]
    public int? NKvHeads { get; init; }
    /// <summary>Per-head width; d_model / n_heads when absent.</summary>
    public int? HeadDim { get; init; }
    /// <summary>RMSNorm on queries and keys (per head) before RoPE (arXiv 2302.05442; OLMo 2, Gemma 3).</summary>
    public bool QkNorm { get; init; }

    public int ResolvedNKvHeads => Kind switch
    {
        AttentionKind.Mqa => 1,
        AttentionKind.Gqa => NKvHeads ?? NHeads,
        _ => NHeads,
    };

    public int ResolvedHeadDim(int dModel) => HeadDim ?? dModel / NHeads;

    public override CausalSelfAttention Build(ModelConfig model, LayerSpec layer, DeviceType device) => new GroupedQueryAttention(model, this, layer, device);

    public override long ParameterCount(ModelConfig model)
    {
        long d = model.DModel, h = NHeads, kv = ResolvedNKvHeads, hd = ResolvedHeadDim(model.DModel);
        var norms = QkNorm ? 2 * hd : 0;   // one RMSNorm gain per head width, for queries and for keys
        return d * h * hd + 2 * d * kv * hd + h * hd * d + norms;
    }

    /// <summary>Keys and values of every key/value head: 2 n_kv_heads head_dim (DeepSeek-V2's 2 n_g d_h).</summary>
    public override long KvElementsPerToken(ModelConfig model) => 2L * ResolvedNKvHeads * ResolvedHeadDim(model.DModel);

    public override (long Qk, long V) HeadWidths(ModelConfig model) => (ResolvedHeadDim(model.DModel), ResolvedHeadDim(model.DModel));

    public override (long Dim, string Key) RopeDim(ModelConfig model) => (ResolvedHeadDim(model.DModel), HeadDim != null ? "head_dim" : "n_heads");

    public override IEnumerable<ConfigError> Validate()
    {
        foreach (var e in base.Validate()) yield return e;
        if (HeadDim is <= 0) yield return new("head_dim", $"must be a positive integer, got {HeadDim}");
        foreach (var e in SizeLimits.Above(("head_dim", HeadDim, SizeLimits.Heads))) yield return e;
        if (Kind == AttentionKind.Gqa && NKvHeads == null)
            yield return new("n_kv_heads", "gqa needs n_kv_heads (a divisor of n_heads)");
        else if (Kind == AttentionKind.Gqa && (NKvHeads <= 0 || NHeads % NKvHeads!.Value != 0))
            yield return new("n_kv_heads", $"n_heads = {NHeads} is not divisible by n_kv_heads = {NKvHeads}; allowed: {string.Join(", ", Divisors(NHeads))}");
    }

    public override IEnumerable<ConfigError> ValidateIn(ModelConfig model)
    {
        if (HeadDim == null && NHeads > 0 && model.DModel % NHeads != 0)
            yield return new("n_heads", $"d_model = {model.DModel} is not divisible by n_heads = {NHeads}; set head_dim or pick a divisor of d_model");
    }

    static IEnumerable<int> Divisors(int n) => Enumerable.Range(1, Math.Max(n, 1)).Where(d => n % d == 0);
}
