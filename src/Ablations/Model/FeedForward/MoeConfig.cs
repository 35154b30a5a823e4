using Ablations.Config;
using Ablations.Model;

namespace Ablations.Model.FeedForward;

/// <summary>
/// Mixture of experts replacing the dense feed-forward block after the first dense_layers layers
/// (DeepSeekMoE arXiv 2401.06066, DeepSeek-V3 arXiv 2412.19437). Experts use the feed-forward kind.
/// </summary>
public sealed record MoeConfig : IValidatable
{
    public int NExperts { get; init; } = 8;
    public int TopK { get; init; } = 2;
    /// <summary>Experts every token goes through, beside the routed ones (DeepSpeed-MoE, DeepSeekMoE).</summary>
    public int NSharedExperts { get; init; }
    public int ExpertHidden { get; init; } = 128;
    /// <summary>The first k layers keep a dense feed-forward block (DeepSeek-V3: 3).</summary>
    public int DenseLayers { get; init; }
    public RouterScoring Scoring { get; init; } = RouterScoring.Softmax;
    /// <summary>Renormalise the chosen experts' scores to sum to one (DeepSeek-V3 does, with sigmoid scores).</summary>
    /// <remarks>Only for top_k &gt; 1: a single renormalised score would be the constant 1, and the gate would not learn.</remarks>
    public bool NormalizeTopK { get; init; } = true;
    /// <summary>Multiplier on the routed experts' output (DeepSeek-V3: 2.5).</summary>
    public double RoutedScaling { get; init; } = 1.0;
    public MoeBalancing Balancing { get; init; } = MoeBalancing.AuxLoss;
    public double AuxLossCoef { get; init; } = 0.01;
    /// <summary>Step size of the auxiliary-loss-free bias update (DeepSeek-V3's gamma).</summary>
    public double BiasUpdateRate { get; init; } = 0.001;

    public IEnumerable<ConfigError> Validate()
    {
        if (NExperts <= 0) yield return new("n_experts", $"must be a positive integer, got {NExperts}");
        if (TopK <= 0 || TopK > NExperts) yield return new("top_k", $"must be between 1 and n_experts = {NExperts}, got {TopK}");
        if (NSharedExperts < 0) yield return new("n_shared_experts", $"must be 0 or more, got {NSharedExperts}");
        if (ExpertHidden <= 0) yield return new("expert_hidden", $"must be a positive integer, got {ExpertHidden}");
        if (DenseLayers < 0) yield return new("dense_layers", $"must be 0 or more, got {DenseLayers}");
        foreach (var e in SizeLimits.Above(("n_experts", NExperts, SizeLimits.Heads), ("n_shared_experts", NSharedExperts, SizeLimits.Heads),
                     ("expert_hidden", ExpertHidden, SizeLimits.Width)))
            yield return e;
        if (!(AuxLossCoef >= 0)) yield return new("aux_loss_coef", $"must be 0 or more, got {AuxLossCoef}");
        if (!(BiasUpdateRate >= 0)) yield return new("bias_update_rate", $"must be 0 or more, got {BiasUpdateRate}");
        if (!(RoutedScaling > 0)) yield return new("routed_scaling", $"must be positive, got {RoutedScaling}");
    }
}
