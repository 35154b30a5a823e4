using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Norms;

/// <summary>
/// LayerNorm (arXiv 1607.06450) with a gain and a bias per dimension, as TorchSharp's, whose statistics are
/// float32 whatever its input: a bf16 branch output (OLMo 2 and sandwich placements) is normalised in float32.
/// </summary>
public sealed class FloatLayerNorm : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter weight, bias;
    readonly long[] _shape;
    readonly double _eps;

    public FloatLayerNorm(long dim, double eps) : base(nameof(FloatLayerNorm))
    {
        (_shape, _eps) = (new[] { dim }, eps);
        weight = new TorchSharp.Modules.Parameter(ones(dim));
        bias = new TorchSharp.Modules.Parameter(zeros(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => nn.functional.layer_norm(MixedPrecision.Full(x), _shape, weight, bias, _eps);
}
