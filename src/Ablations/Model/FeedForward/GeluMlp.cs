using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Model.FeedForward;

/// <summary>The two-matrix GELU MLP of GPT-2 (and the original Transformer, with ReLU): down(gelu(up(x))).</summary>
public sealed class GeluMlp : FeedForwardModule
{
    readonly Linear up_proj, down_proj;

    public GeluMlp(long dModel, long hidden) : base(nameof(GeluMlp))
    {
        up_proj = nn.Linear(dModel, hidden, hasBias: false);
        down_proj = nn.Linear(hidden, dModel, hasBias: false);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext context)
    {
        using var scope = NewDisposeScope();
        var mp = context.Precision;
        return mp.Linear(down_proj, nn.functional.gelu(mp.Linear(up_proj, x))).MoveToOuterDisposeScope();
    }
}
