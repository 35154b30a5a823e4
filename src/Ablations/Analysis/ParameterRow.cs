namespace Ablations.Analysis;

/// <summary>One component's parameters over the whole model: in total, and those a single token uses.</summary>
public sealed record ParameterRow(string Component, long Total, long Active, bool IsEmbedding);
