using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.FeedForward;

/// <summary>
/// Gated linear units (arXiv 2002.05202): swiglu gates with SiLU (Llama, OLMo 2, Mistral, DeepSeek), geglu with
/// tanh-approximated GELU (Gemma). Hidden defaults to 8/3 x d_model rounded up to a multiple of 8.
/// </summary>
[ConfigKind(FeedForwardKind.Swiglu, FeedForwardKind.Geglu)]
public sealed record GatedFeedForwardConfig : FeedForwardConfig
{
    public GatedFeedForwardConfig() => Kind = FeedForwardKind.Swiglu;

    public override long ResolvedHidden(long dModel) => Hidden ?? (8 * dModel / 3 + 7) / 8 * 8;

    public override int MatricesPerHidden => 3;

    public override FeedForwardModule Build(ModelConfig model, LayerSpec layer) => BuildDense(model.DModel, ResolvedHidden(model.DModel));

    public override Tensor Activate(Tensor? gate, Tensor up) => SwiGlu.Gate(gate!, Kind == FeedForwardKind.Geglu) * up;

    public override FeedForwardModule BuildDense(long dModel, long hidden) => new SwiGlu(dModel, hidden, geluGate: Kind == FeedForwardKind.Geglu);
}
