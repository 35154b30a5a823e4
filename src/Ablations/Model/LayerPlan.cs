using Ablations.Config;

namespace Ablations.Model;

/// <summary>What one layer is: its index, its attention window (null = global) and whether its feed-forward is MoE.</summary>
public sealed record LayerSpec(int Index, int? Window, bool IsMoe)
{
    public bool IsLocal => Window != null;
}

/// <summary>
/// The per-layer layout derived once from the configuration. The decoder builds its layers from it and the
/// inspector counts from it, so the two cannot disagree about which layers are local or MoE.
/// </summary>
public sealed class LayerPlan
{
    public IReadOnlyList<LayerSpec> Layers { get; }

    LayerPlan(IReadOnlyList<LayerSpec> layers) => Layers = layers;

    public static LayerPlan From(ModelConfig model)
    {
        var pattern = model.Attention.Pattern();
        var layers = new List<LayerSpec>(model.NLayers);
        for (int i = 0; i < model.NLayers; i++)
        {
            var local = pattern != null && pattern[i % pattern.Count] == LayerAttentionSpan.Local;
            var moe = model.Moe != null && i >= model.Moe.DenseLayers;
            layers.Add(new LayerSpec(i, local ? model.Attention.Window : null, moe));
        }
        return new LayerPlan(layers);
    }

    public int LocalLayers => Layers.Count(l => l.IsLocal);
    public int MoeLayers => Layers.Count(l => l.IsMoe);

    /// <summary>A compact picture of the plan, e.g. "LLLLLG LLLLLG" with M marking MoE layers in a second row.</summary>
    public override string ToString() =>
        string.Concat(Layers.Select(l => l.IsLocal ? 'L' : 'G')) + " / " + string.Concat(Layers.Select(l => l.IsMoe ? 'M' : 'D'));
}
