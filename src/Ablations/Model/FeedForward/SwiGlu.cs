using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Model.FeedForward;

/// <summary>
/// Gated linear unit feed-forward (Shazeer 2020, arXiv 2002.05202): down(act(gate(x)) * up(x)), with SiLU
/// (SwiGLU: Llama, OLMo 2, Mistral, DeepSeek) or tanh-approximated GELU (GeGLU: Gemma).
/// </summary>
public sealed class SwiGlu : FeedForwardModule
{
    readonly Linear gate_proj, up_proj, down_proj;
    readonly bool _gelu;

    public SwiGlu(long dModel, long hidden, bool geluGate = false) : base(nameof(SwiGlu))
    {
        _gelu = geluGate;
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
        var gate = mp.Linear(gate_proj, x);
        return mp.Linear(down_proj, Gate(gate, _gelu) * mp.Linear(up_proj, x)).MoveToOuterDisposeScope();
    }

    /// <summary>The gate's activation: tanh-approximated GELU (GeGLU) or SiLU (SwiGLU).</summary>
    public static Tensor Gate(Tensor gate, bool gelu) => gelu ? gate.gelu(TorchSharp.Modules.GELU.Approximate.tanh) : nn.functional.silu(gate);
}
