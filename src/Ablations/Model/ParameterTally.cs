namespace Ablations.Model;

/// <summary>Parameters of one component of a layer: in total, and those one token uses (they differ for MoE).</summary>
public sealed record ParameterTally(string Component, long Total, long Active)
{
    public ParameterTally(string component, long count) : this(component, count, count) { }
}
