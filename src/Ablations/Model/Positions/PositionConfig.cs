using Ablations.Config;
using Ablations.Model;

namespace Ablations.Model.Positions;

/// <summary>
/// The position family, chosen by <c>kind:</c>: rotary (inside attention, per layer), learned absolute (a table
/// added to the token embeddings) or none.
/// </summary>
public abstract record PositionConfig : IValidatable
{
    public PositionKind Kind { get; init; }

    /// <summary>This configuration as one layer sees it (RoPE: the local or global theta).</summary>
    public virtual PositionConfig ForLayer(bool local) => this;

    /// <summary>The rotation for query/key heads of width <paramref name="dim"/>, or null when positions are not rotary.</summary>
    public virtual RotaryEmbedding? Rotary(long dim, long contextLength) => null;

    /// <summary>Rows of a learned position table added to the token embeddings (0: none).</summary>
    public virtual long TableRows(ModelConfig model) => 0;

    /// <summary>Checks that need the rest of the model; keys relative to the model.</summary>
    public virtual IEnumerable<ConfigError> ValidateIn(ModelConfig model) => Array.Empty<ConfigError>();

    public virtual IEnumerable<ConfigError> Validate() => Array.Empty<ConfigError>();
}
