using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Norms;

/// <summary>RMSNorm (arXiv 1910.07467): a gain per dimension, no mean, no bias.</summary>
[ConfigKind(NormKind.Rmsnorm)]
public sealed record RmsNormConfig : NormConfig
{
    public override nn.Module<Tensor, Tensor> Build(long dim) => new RmsNorm(dim, Eps);

    public override long ParameterCount(long dim) => dim;
}
