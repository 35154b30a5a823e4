using Ablations.Config;
using Ablations.Model;

namespace Ablations.Model.Positions;

/// <summary>No position information beyond the causal mask (NoPE).</summary>
[ConfigKind(PositionKind.None)]
public sealed record NoPositionConfig : PositionConfig
{
    public NoPositionConfig() => Kind = PositionKind.None;
}
