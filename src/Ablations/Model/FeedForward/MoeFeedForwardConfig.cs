using Ablations.Model;
namespace Ablations.Model.FeedForward;

/// <summary>
/// The feed-forward of an MoE layer as the layer plan resolves it: the model's moe section, with experts of the
/// model's feed-forward kind. Not a YAML kind: model.moe turns layers into this.
/// </summary>
public sealed record MoeFeedForwardConfig : FeedForwardConfig
{
    public MoeFeedForwardConfig(MoeConfig moe, FeedForwardConfig expert)
    {
        Moe = moe;
        Expert = expert;
        Kind = expert.Kind;
    }

    public MoeConfig Moe { get; }
    public FeedForwardConfig Expert { get; }

    public override long ResolvedHidden(long dModel) => Moe.ExpertHidden;

    public override int MatricesPerHidden => Expert.MatricesPerHidden;

    public override FeedForwardModule Build(ModelConfig model, LayerSpec layer) => new MoeFeedForward(model.DModel, this);

    public override TorchSharp.torch.Tensor Activate(TorchSharp.torch.Tensor? gate, TorchSharp.torch.Tensor up) => Expert.Activate(gate, up);

    public override FeedForwardModule BuildDense(long dModel, long hidden) => Expert.BuildDense(dModel, hidden);

    /// <summary>Routed experts (all in total, top_k active), the shared ones and the router.</summary>
    public override IReadOnlyList<ParameterTally> Parameters(ModelConfig model)
    {
        var perExpert = (long)Expert.MatricesPerHidden * model.DModel * Moe.ExpertHidden;
        var rows = new List<ParameterTally> { new("routed experts", Moe.NExperts * perExpert, Moe.TopK * perExpert) };
        if (Moe.NSharedExperts > 0) rows.Add(new("shared experts", Moe.NSharedExperts * perExpert));
        rows.Add(new("routers", TopKRouter.ParameterCount(model.DModel, Moe)));
        return rows;
    }
}
