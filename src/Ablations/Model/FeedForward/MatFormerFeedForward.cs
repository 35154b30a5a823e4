using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Model.FeedForward;

/// <summary>
/// MatFormer's nested gated feed-forward (arXiv 2310.07707): the sub-model of granularity g uses the first w_g
/// rows of the gate and up projections and the first w_g columns of the down projection, so the sub-models share
/// their weights and each is a prefix of the next. The granularity of a call comes from the forward context
/// (the full width when none is asked for).
/// </summary>
public sealed class MatFormerFeedForward : FeedForwardModule
{
    readonly Linear gate_proj, up_proj, down_proj;
    readonly long[] _widths;
    readonly MatFormerConfig _config;

    public MatFormerFeedForward(long dModel, long[] widths, MatFormerConfig config) : base(nameof(MatFormerFeedForward))
    {
        (_widths, _config) = (widths, config);
        var hidden = widths[^1];
        gate_proj = nn.Linear(dModel, hidden, hasBias: false);
        up_proj = nn.Linear(dModel, hidden, hasBias: false);
        down_proj = nn.Linear(hidden, dModel, hasBias: false);
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext context)
    {
        using var scope = NewDisposeScope();
        var mp = context.Precision;
        x = mp.Compute(x);                                                          // cast once for gate and up
        var w = _widths[context.Granularity ?? _widths.Length - 1];
        var gate = mp.Linear(x, mp.Weight(gate_proj).narrow(0, 0, w));          // [batch, time, w]
        var up = mp.Linear(x, mp.Weight(up_proj).narrow(0, 0, w));
        var hidden = _config.Activate(gate, up);
        return mp.Linear(hidden, mp.Weight(down_proj).narrow(1, 0, w)).MoveToOuterDisposeScope();   // [batch, time, d_model]
    }
}
