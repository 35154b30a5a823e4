namespace Ablations.Data;

/// <summary>One document of a corpus; documents are never split between training and validation.</summary>
public sealed record Document(string Id, string Text);
