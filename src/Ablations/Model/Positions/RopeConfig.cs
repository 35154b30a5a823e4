using Ablations.Config;
using Ablations.Model;

namespace Ablations.Model.Positions;

/// <summary>
/// Rotary position embedding (arXiv 2104.09864) with base theta; rope_theta_local gives local (sliding-window)
/// layers their own base, as Gemma 3 does (10k local, 1M global).
/// </summary>
[ConfigKind(PositionKind.Rope)]
public sealed record RopeConfig : PositionConfig
{
    public double RopeTheta { get; init; } = 10000.0;
    /// <summary>Base of local layers; absent = rope_theta everywhere.</summary>
    public double? RopeThetaLocal { get; init; }

    public override PositionConfig ForLayer(bool local) =>
        this with { RopeTheta = local ? RopeThetaLocal ?? RopeTheta : RopeTheta, RopeThetaLocal = null };

    public override RotaryEmbedding? Rotary(long dim, long contextLength) => new(dim, contextLength, RopeTheta);

    public override IEnumerable<ConfigError> Validate()
    {
        if (!(RopeTheta > 1)) yield return new("rope_theta", $"must be greater than 1, got {RopeTheta}");
        if (RopeThetaLocal is { } local && !(local > 1)) yield return new("rope_theta_local", $"must be greater than 1, got {local}");
    }

    public override IEnumerable<ConfigError> ValidateIn(ModelConfig model)
    {
        if (model.Attention.NHeads <= 0 || model.DModel <= 0) yield break;
        var (dim, key) = model.Attention.RopeDim(model);
        if (dim % 2 != 0)
            yield return new("attention." + key, $"RoPE rotates pairs of dimensions, so its dimension must be even; got {dim}");
        if (RopeThetaLocal != null && model.Attention.Pattern() == null)
            yield return new("positions.rope_theta_local", "applies to local layers, but this model has none (set attention.window and a local:global pattern)");
    }
}
