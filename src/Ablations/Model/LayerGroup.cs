namespace Ablations.Model;

/// <summary>One kind of layer in a <see cref="LayerPlan"/>: the first layer of that kind, and how many layers are of it.</summary>
public sealed record LayerGroup(LayerSpec Layer, int Count);
