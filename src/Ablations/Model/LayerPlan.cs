using Ablations.Model.Attention;
using Ablations.Model.FeedForward;
using Ablations.Model.Positions;

namespace Ablations.Model;

/// <summary>
/// What one layer is, resolved: its index, its attention window (null = global), its attention record, its
/// positions as this layer sees them (a local layer's RoPE base) and its feed-forward record (dense, or the
/// mixture of experts on MoE layers).
/// </summary>
public sealed record LayerSpec(int Index, int? Window, AttentionConfig Attention, PositionConfig Positions, FeedForwardConfig FeedForward)
{
    public bool IsLocal => Window != null;
    public bool IsMoe => FeedForward is MoeFeedForwardConfig;
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
        var moe = model.Moe != null ? new MoeFeedForwardConfig(model.Moe, model.FeedForward) : null;
        var (localPositions, globalPositions) = (model.Positions.ForLayer(local: true), model.Positions.ForLayer(local: false));
        var layers = new List<LayerSpec>(model.NLayers);
        for (int i = 0; i < model.NLayers; i++)
        {
            var local = pattern != null && pattern[i % pattern.Count] == LayerAttentionSpan.Local;
            var feedForward = moe != null && i >= model.Moe!.DenseLayers ? moe : model.FeedForward;
            layers.Add(new LayerSpec(i, local ? model.Attention.Window : null, model.Attention, local ? localPositions : globalPositions, feedForward));
        }
        return new LayerPlan(layers);
    }

    public int LocalLayers => Layers.Count(l => l.IsLocal);
    public int MoeLayers => Layers.Count(l => l.IsMoe);

    /// <summary>A compact picture of the plan, e.g. "LLLLLG / DMMMMM" (local/global, then dense/MoE).</summary>
    public override string ToString() =>
        string.Concat(Layers.Select(l => l.IsLocal ? 'L' : 'G')) + " / " + string.Concat(Layers.Select(l => l.IsMoe ? 'M' : 'D'));
}
