using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Norms;

/// <summary>LayerNorm (arXiv 1607.06450): a gain and a bias per dimension, statistics in float32.</summary>
[ConfigKind(NormKind.Layernorm)]
public sealed record LayerNormConfig : NormConfig
{
    public LayerNormConfig() => Kind = NormKind.Layernorm;

    public override nn.Module<Tensor, Tensor> Build(long dim) => new FloatLayerNorm(dim, Eps);

    public override long ParameterCount(long dim) => 2 * dim;
}
