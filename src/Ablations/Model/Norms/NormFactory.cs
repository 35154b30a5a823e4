using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Norms;

/// <summary>The one place a norm kind becomes a module, and its parameter count.</summary>
public static class NormFactory
{
    public static nn.Module<Tensor, Tensor> Create(NormConfig config, long dim) => config.Kind switch
    {
        NormKind.Rmsnorm => new RmsNorm(dim, config.Eps),
        NormKind.Layernorm => nn.LayerNorm(dim, config.Eps),
        _ => throw new ArgumentOutOfRangeException(nameof(config)),
    };

    /// <summary>RMSNorm has a gain; LayerNorm a gain and a bias.</summary>
    public static long ParameterCount(NormKind kind, long dim) => kind == NormKind.Layernorm ? 2 * dim : dim;
}
