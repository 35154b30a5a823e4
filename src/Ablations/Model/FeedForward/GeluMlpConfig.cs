using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.FeedForward;

/// <summary>The two-matrix GELU MLP of GPT-2: hidden defaults to 4 x d_model.</summary>
[ConfigKind(FeedForwardKind.Gelu)]
public sealed record GeluMlpConfig : FeedForwardConfig
{
    public GeluMlpConfig() => Kind = FeedForwardKind.Gelu;

    public override long ResolvedHidden(long dModel) => Hidden ?? 4 * dModel;

    public override int MatricesPerHidden => 2;

    public override FeedForwardModule Build(ModelConfig model, LayerSpec layer) => BuildDense(model.DModel, ResolvedHidden(model.DModel));

    public override Tensor Activate(Tensor? gate, Tensor up) => nn.functional.gelu(up);

    public override FeedForwardModule BuildDense(long dModel, long hidden) => new GeluMlp(dModel, hidden);
}
