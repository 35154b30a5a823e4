using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.FeedForward;

/// <summary>
/// Mixture-of-experts feed-forward (DeepSeekMoE arXiv 2401.06066, DeepSeek-V3 arXiv 2412.19437): a router picks
/// top_k routed experts per token; n_shared_experts more (one dense block of their combined width) see every token.
/// </summary>
public sealed class MoeFeedForward : FeedForwardModule
{
    readonly TopKRouter router;
    readonly RoutedExperts experts;
    readonly FeedForwardModule? shared_experts;

    public MoeFeedForward(long dModel, MoeFeedForwardConfig config) : base(nameof(MoeFeedForward))
    {
        var moe = config.Moe;
        router = new TopKRouter(dModel, moe);
        experts = new RoutedExperts(dModel, config.Expert, moe);
        if (moe.NSharedExperts > 0)
            shared_experts = config.Expert.BuildDense(dModel, (long)moe.NSharedExperts * moe.ExpertHidden);
        RegisterComponents();
    }

    public TopKRouter Router => router;

    public override Tensor Forward(Tensor x, ForwardContext context)
    {
        using var scope = NewDisposeScope();
        var shape = x.shape;
        var flat = x.reshape(-1, shape[^1]);                                             // [tokens, d_model]
        var (chosen, weights, aux, load) = router.Route(flat);
        context.AddExpertLoad(load.MoveToOuterDisposeScope());
        var y = experts.Forward(flat, chosen, weights, context.Precision);
        if (shared_experts != null) y = y + shared_experts.Forward(flat, context);
        if (aux is not null) context.AddAuxLoss(aux.MoveToOuterDisposeScope());
        return y.view(shape).MoveToOuterDisposeScope();
    }
}
