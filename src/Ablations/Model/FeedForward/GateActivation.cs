namespace Ablations.Model.FeedForward;

/// <summary>The activation on a gated block's gate: SiLU (SwiGLU) or tanh-approximated GELU (GeGLU).</summary>
public enum GateActivation { Silu, Gelu }
