using Ablations.Common;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// Gemma 2's soft-cap: x becomes cap * tanh(x / cap), bounded by +-cap and close to x well inside it. Written out of
/// place: tanh's backward reads its own output, so scaling that output in place would break the gradient.
/// </summary>
public static class SoftCap
{
    public static Tensor Apply(Tensor x, double cap) => (x / Scalars.Of(cap)).tanh().mul(Scalars.Of(cap));
}
