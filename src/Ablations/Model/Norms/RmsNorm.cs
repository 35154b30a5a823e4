using Ablations.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Norms;

/// <summary>Root-mean-square norm with a learned gain and no mean subtraction (Zhang and Sennrich 2019, arXiv 1910.07467).</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly TorchSharp.Modules.Parameter weight;
    readonly double _eps;

    public RmsNorm(long dim, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = new TorchSharp.Modules.Parameter(ones(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = MixedPrecision.Full(x);                                                     // statistics in float32 (bf16 inputs too)
        var rms = x.pow(Scalars.Of(2L)).mean(new long[] { -1 }, keepdim: true).add_(Scalars.Of(_eps)).rsqrt_();
        return (x * rms * weight).MoveToOuterDisposeScope();
    }

    public static long ParameterCount(long dim) => dim;
}
