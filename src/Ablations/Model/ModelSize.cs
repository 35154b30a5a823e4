using System.Globalization;
using Ablations.Common;

namespace Ablations.Model;

/// <summary>
/// A model's parameters in round numbers, split the way a size problem is fixed: the embeddings (vocabulary x
/// width), one layer of its largest kind, and how many layers there are. Counted in doubles over the layer plan's
/// kinds, so an absurd configuration is measured rather than overflowed; the inspector gives the exact counts.
/// </summary>
public sealed class ModelSize
{
    readonly ModelConfig _model;
    readonly LayerSpec _largest;

    public ModelSize(ModelConfig model)
    {
        _model = model;
        var groups = LayerPlan.From(model).Groups;
        _largest = groups.MaxBy(g => Layer(g.Layer))!.Layer;
        LargestLayer = Layer(_largest);
        Layers = groups.Sum(g => g.Count * Layer(g.Layer));
        Embeddings = ((double)model.VocabSize * (model.TieEmbeddings ? 1 : 2) + model.Positions.TableRows(model)) * model.DModel;
    }

    /// <summary>Token embedding, untied output head and learned position table.</summary>
    public double Embeddings { get; }
    /// <summary>The layer of the largest kind (an MoE layer rather than a dense one).</summary>
    public double LargestLayer { get; }
    public double Layers { get; }
    public double Total => Embeddings + Layers;

    /// <summary>One layer; per-layer embeddings grow with the layers, so each layer's slice of their table counts with it here.</summary>
    double Layer(LayerSpec layer) =>
        layer.Parameters(_model).Sum(t => (double)t.Total)
        + (_model.PerLayerEmbeddings is { } ple ? (double)_model.VocabSize * ple.Dim + ple.BranchParameters(_model) : 0);

    /// <summary>
    /// The key (relative to the model) to lower first so that at most <paramref name="budget"/> parameters remain,
    /// and why, with the numbers: when even one layer with the embeddings exceeds the budget no number of layers
    /// would do, so it is the key that sizes the largest part (the vocabulary, or the width of the layer's largest
    /// component); otherwise it is the number of layers, with how many would fit.
    /// </summary>
    public (string Key, string Reason) Culprit(double budget)
    {
        var m = _model;
        var inv = CultureInfo.InvariantCulture;
        if (Embeddings + LargestLayer <= budget)
        {
            var fit = Math.Floor((budget - Embeddings) / LargestLayer);
            return ("n_layers", string.Create(inv, $"{m.NLayers:N0} layers of up to {Units.Count(LargestLayer)} parameters each hold {Units.Count(Layers)}; ") +
                                string.Create(inv, $"the parameters of at most {fit:N0} such layers fit"));
        }
        if (Embeddings > LargestLayer)
            return (m.VocabSize >= m.DModel ? "vocab_size" : "d_model",
                string.Create(inv, $"the embeddings of vocab_size {m.VocabSize:N0} x d_model {m.DModel:N0} alone hold {Units.Count(Embeddings)} parameters"));
        var part = _largest.Parameters(m).MaxBy(t => t.Total)!;
        return (WidthKey(part.Component), $"one layer alone holds {Units.Count(LargestLayer)} parameters, {Units.Count(part.Total)} of them in its {part.Component}");
    }

    /// <summary>The key that sizes one of a layer's components, as <see cref="LayerSpec.Parameters"/> names them.</summary>
    string WidthKey(string component)
    {
        var m = _model;
        return component switch
        {
            "routed experts" => "moe.n_experts",
            "shared experts" => "moe.n_shared_experts",
            "dense feed-forward" when m.FeedForward.Hidden > m.DModel => "feed_forward.hidden",
            "attention" when m.Attention.NHeads * m.Attention.HeadWidths(m).Qk > m.DModel => "attention.n_heads",
            _ => "d_model",
        };
    }
}
