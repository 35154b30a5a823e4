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

    /// <summary>This layer's parameters by component: its attention, its norms, its feed-forward (dense or experts).</summary>
    public IEnumerable<ParameterTally> Parameters(ModelConfig model)
    {
        yield return new("attention", Attention.ParameterCount(model));
        yield return new("norms", DecoderBlock.NormsPerBlock(model.Norm.Placement) * model.Norm.ParameterCount(model.DModel));
        foreach (var t in FeedForward.Parameters(model)) yield return t;
    }
}

/// <summary>
/// The per-layer layout derived once from the configuration. The decoder builds its layers from it and the
/// inspector counts from it, so the two cannot disagree about which layers are local or MoE.
/// The layout is periodic (the local:global cycle, after the first moe.dense_layers dense layers), so it also
/// gives its distinct kinds of layer with their counts without listing every layer: counting a model of a
/// million layers costs as little as counting one of four.
/// </summary>
public sealed class LayerPlan
{
    readonly ModelConfig _model;
    readonly IReadOnlyList<LayerAttentionSpan>? _pattern;
    readonly MoeFeedForwardConfig? _moe;
    readonly PositionConfig _localPositions, _globalPositions;
    readonly Lazy<IReadOnlyList<LayerSpec>> _layers;

    LayerPlan(ModelConfig model)
    {
        _model = model;
        _pattern = model.Attention.Pattern();
        _moe = model.Moe != null ? new MoeFeedForwardConfig(model.Moe, model.FeedForward) : null;
        (_localPositions, _globalPositions) = (model.Positions.ForLayer(local: true), model.Positions.ForLayer(local: false));
        _layers = new(() => Enumerable.Range(0, model.NLayers).Select(At).ToList());
        Groups = FindGroups();
    }

    public static LayerPlan From(ModelConfig model) => new(model);

    /// <summary>Every layer in order, listed on first use (the decoder builds one block per entry).</summary>
    public IReadOnlyList<LayerSpec> Layers => _layers.Value;

    /// <summary>
    /// The distinct kinds of layer in order of first appearance, each as its first layer with how many layers are
    /// of that kind; the counts add up to n_layers.
    /// </summary>
    public IReadOnlyList<LayerGroup> Groups { get; }

    public int LocalLayers => Groups.Where(g => g.Layer.IsLocal).Sum(g => g.Count);
    public int MoeLayers => Groups.Where(g => g.Layer.IsMoe).Sum(g => g.Count);

    /// <summary>Layer <paramref name="index"/>, resolved.</summary>
    public LayerSpec At(int index)
    {
        var local = SpanOf(index) == LayerAttentionSpan.Local;
        var feedForward = IsMoe(index) ? _moe! : _model.FeedForward;
        return new LayerSpec(index, local ? _model.Attention.Window : null, _model.Attention, local ? _localPositions : _globalPositions, feedForward);
    }

    LayerAttentionSpan SpanOf(int index) => _pattern?[index % _pattern.Count] ?? LayerAttentionSpan.Global;

    bool IsMoe(int index) => _moe != null && index >= _model.Moe!.DenseLayers;

    /// <summary>A layer's kind is its span and whether it is MoE: within the dense prefix and within the MoE rest, count each span over the cycle.</summary>
    List<LayerGroup> FindGroups()
    {
        var dense = _moe != null ? Math.Min(_model.Moe!.DenseLayers, _model.NLayers) : _model.NLayers;
        var groups = new List<LayerGroup>();
        foreach (var (from, to) in new[] { (0, dense), (dense, _model.NLayers) })
            foreach (var span in new[] { LayerAttentionSpan.Local, LayerAttentionSpan.Global })
            {
                var count = SpansBefore(to, span) - SpansBefore(from, span);
                if (count == 0) continue;
                var first = from;
                while (SpanOf(first) != span) first++;   // within one cycle of from, since the range holds this span
                groups.Add(new LayerGroup(At(first), count));
            }
        return groups.OrderBy(g => g.Layer.Index).ToList();
    }

    /// <summary>How many of the layers 0..n-1 have <paramref name="span"/>: whole cycles, then the start of one.</summary>
    int SpansBefore(int n, LayerAttentionSpan span)
    {
        if (_pattern == null) return span == LayerAttentionSpan.Global ? n : 0;
        int perCycle = _pattern.Count(s => s == span), partial = _pattern.Take(n % _pattern.Count).Count(s => s == span);
        return n / _pattern.Count * perCycle + partial;
    }

    /// <summary>A compact picture of the plan, e.g. "LLLLLG / DMMMMM" (local/global, then dense/MoE).</summary>
    public override string ToString() =>
        string.Concat(Layers.Select(l => l.IsLocal ? 'L' : 'G')) + " / " + string.Concat(Layers.Select(l => l.IsMoe ? 'M' : 'D'));
}
