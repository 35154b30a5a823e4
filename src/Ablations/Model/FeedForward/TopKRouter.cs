using Ablations.Common;
using Ablations.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.FeedForward;

/// <summary>
/// Chooses top_k experts per token from softmax or sigmoid scores of a linear gate. Balancing either adds the
/// Switch-Transformer auxiliary loss (coef * E * sum_e f_e P_e, arXiv 2101.03961) or, as in DeepSeek-V3
/// (arXiv 2412.19437, section 2.1.2), adds a per-expert bias to the scores used only for selection, nudged
/// after each step toward under-loaded experts.
/// </summary>
public sealed class TopKRouter : nn.Module
{
    readonly Linear gate;
    readonly Tensor expert_bias; // [experts], updated outside autograd
    readonly MoeConfig _config;

    public TopKRouter(long dModel, MoeConfig config) : base(nameof(TopKRouter))
    {
        _config = config;
        gate = nn.Linear(dModel, config.NExperts, hasBias: false);
        expert_bias = zeros(config.NExperts);
        RegisterComponents();
    }

    /// <summary>
    /// x: [tokens, d_model]. Returns chosen experts [tokens, k], their weights [tokens, k], the balance loss (when
    /// training with aux_loss) and the load, tokens routed to each expert [experts] (top_k assignments per token).
    /// </summary>
    public (Tensor Experts, Tensor Weights, Tensor? AuxLoss, Tensor Load) Route(Tensor x)
    {
        using var scope = NewDisposeScope();
        var logits = gate.call(MixedPrecision.Full(x));                               // float32 scores in every precision                                                     // [tokens, experts]
        var scores = _config.Scoring == RouterScoring.Softmax ? logits.softmax(-1) : logits.sigmoid();
        var forSelection = _config.Balancing == MoeBalancing.AuxFree ? scores + expert_bias.to(scores.dtype) : scores;
        var experts = forSelection.topk(_config.TopK, -1).indexes;                     // [tokens, k]
        var weights = scores.gather(1, experts);                                       // [tokens, k]
        // Renormalising one chosen score gives s / s = 1, a constant through which the gate gets no gradient from the
        // language-model loss (and none at all under aux_free balancing): top-1 keeps its raw score (Switch
        // Transformer), top-k > 1 renormalises over the chosen (DeepSeek-V3).
        if (_config.NormalizeTopK && _config.TopK > 1) weights = weights / (weights.sum(-1, keepdim: true) + Scalars.Of(1e-20));
        if (_config.RoutedScaling != 1.0) weights = weights * Scalars.Of(_config.RoutedScaling);

        var flat = experts.flatten();
        var load = zeros(_config.NExperts, ScalarType.Int64, x.device).scatter_add_(0, flat, ones_like(flat));

        Tensor? aux = null;
        if (_config.Balancing == MoeBalancing.AuxLoss && _config.AuxLossCoef > 0 && training)
        {
            var fraction = load.to(scores.dtype) / flat.shape[0];                       // f_e, sums to 1
            var probs = _config.Scoring == RouterScoring.Softmax ? scores : scores / scores.sum(-1, keepdim: true);
            aux = (fraction * probs.mean(new long[] { 0 })).sum() * Scalars.Of(_config.NExperts * _config.AuxLossCoef);
        }
        return (experts.MoveToOuterDisposeScope(), weights.MoveToOuterDisposeScope(), aux?.MoveToOuterDisposeScope(), load.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// DeepSeek-V3's update after an optimiser step, from the step's load [experts]: bias_e += rate * sign(mean load
    /// - load_e), on the device (no copy to the host).
    /// </summary>
    public void UpdateBias(Tensor load)
    {
        if (_config.Balancing != MoeBalancing.AuxFree) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var counts = load.to(ScalarType.Float64);
        expert_bias.add_((counts.mean() - counts).sign().mul_(_config.BiasUpdateRate).to(expert_bias.dtype));
    }

    public static long ParameterCount(long dModel, MoeConfig config) => dModel * config.NExperts;
}
