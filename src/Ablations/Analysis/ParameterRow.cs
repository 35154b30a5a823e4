namespace Ablations.Analysis;

/// <summary>
/// One component's parameters over the whole model: in total, and those a single token uses; whether they are an
/// embedding table (or an untied output head), and whether they are per-layer embedding tables (Gemma 3n's PLE,
/// which its "effective" count leaves out).
/// </summary>
public sealed record ParameterRow(string Component, long Total, long Active, bool IsEmbedding, bool IsPerLayerEmbedding = false);
