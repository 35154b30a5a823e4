using Ablations.Config;
using Ablations.Model;

namespace Ablations.Model.Positions;

/// <summary>Learned absolute position embeddings (GPT-2): one row per position up to context_length, added to the tokens'.</summary>
[ConfigKind(PositionKind.Learned)]
public sealed record LearnedPositionConfig : PositionConfig
{
    public LearnedPositionConfig() => Kind = PositionKind.Learned;

    public override long TableRows(ModelConfig model) => model.ContextLength;
}
