using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;
using Ablations.Model;

namespace Ablations.Model.Norms;

/// <summary>The norm family, chosen by <c>kind:</c> (RMSNorm or LayerNorm), and where it sits around each residual branch.</summary>
public abstract record NormConfig : IValidatable
{
    public NormKind Kind { get; init; }
    public NormPlacement Placement { get; init; } = NormPlacement.Pre;
    public double Eps { get; init; } = 1e-5;

    /// <summary>A norm over the last dimension of width <paramref name="dim"/>.</summary>
    public abstract nn.Module<Tensor, Tensor> Build(long dim);

    public abstract long ParameterCount(long dim);

    public virtual IEnumerable<ConfigError> Validate()
    {
        if (!(Eps > 0 && Eps < 1)) yield return new("eps", $"must be in (0, 1), got {Eps}");
    }
}
