using TorchSharp;
using Ablations.Config;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Attention;

/// <summary>
/// Multi-head latent attention (DeepSeek-V2, arXiv 2405.04434; DeepSeek-V3): keys and values from a shared
/// latent of width kv_lora_rank, RoPE on a decoupled slice of width qk_rope_head_dim, queries optionally
/// through their own bottleneck of width q_lora_rank (0 = none).
/// </summary>
[ConfigKind(AttentionKind.Mla)]
public sealed record LatentAttentionConfig : AttentionConfig
{
    public LatentAttentionConfig() => Kind = AttentionKind.Mla;

    /// <summary>Query compression rank; 0 projects queries directly from the hidden state.</summary>
    public int QLoraRank { get; init; }
    public int KvLoraRank { get; init; }
    public int QkNopeHeadDim { get; init; }
    public int QkRopeHeadDim { get; init; }
    public int VHeadDim { get; init; }

    public override CausalSelfAttention Build(ModelConfig model, LayerSpec layer, DeviceType device) => new MultiHeadLatentAttention(model, this, layer, device);

    public override long ParameterCount(ModelConfig model)
    {
        long d = model.DModel, h = NHeads, r = KvLoraRank, qr = QLoraRank;
        long nope = QkNopeHeadDim, rope = QkRopeHeadDim, v = VHeadDim;
        // The two latent norms are RMSNorms: one gain per latent dimension.
        var query = qr > 0 ? d * qr + qr + qr * h * (nope + rope) : d * h * (nope + rope);
        var keyValue = d * (r + rope) + r + r * h * (nope + v);
        return query + keyValue + h * v * d;
    }

    /// <summary>The latent and the shared RoPE key: d_c + d_h^R (DeepSeek-V2, Table 1).</summary>
    public override long KvElementsPerToken(ModelConfig model) => KvLoraRank + QkRopeHeadDim;

    public override (long Qk, long V) HeadWidths(ModelConfig model) => (QkNopeHeadDim + QkRopeHeadDim, VHeadDim);

    public override (long Dim, string Key) RopeDim(ModelConfig model) => (QkRopeHeadDim, "qk_rope_head_dim");

    public override IEnumerable<ConfigError> Validate()
    {
        foreach (var e in base.Validate()) yield return e;
        foreach (var (key, value) in new (string, int)[] { ("kv_lora_rank", KvLoraRank), ("qk_nope_head_dim", QkNopeHeadDim), ("qk_rope_head_dim", QkRopeHeadDim), ("v_head_dim", VHeadDim) })
            if (value <= 0) yield return new(key, $"mla needs {key} as a positive integer");
        if (QLoraRank < 0) yield return new("q_lora_rank", "must be 0 (no query compression) or a positive rank");
        foreach (var e in SizeLimits.Above(("q_lora_rank", QLoraRank, SizeLimits.Heads), ("kv_lora_rank", KvLoraRank, SizeLimits.Heads),
                     ("qk_nope_head_dim", QkNopeHeadDim, SizeLimits.Heads), ("qk_rope_head_dim", QkRopeHeadDim, SizeLimits.Heads), ("v_head_dim", VHeadDim, SizeLimits.Heads)))
            yield return e;
    }
}
