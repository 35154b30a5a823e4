using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Positions;

/// <summary>
/// Rotary position embedding (Su et al. 2021, arXiv 2104.09864) in the rotate-half layout used by
/// GPT-NeoX and Llama: dimension i is paired with i + dim/2. Tables are built once for the context length.
/// </summary>
public sealed class RotaryEmbedding : nn.Module
{
    readonly Tensor cos; // [context, dim]
    readonly Tensor sin;
    readonly long _dim;

    public RotaryEmbedding(long dim, long contextLength, double theta) : base(nameof(RotaryEmbedding))
    {
        _dim = dim;
        var inv = pow(theta, -arange(0, dim, 2, ScalarType.Float64) / dim);       // [dim/2]
        var angles = outer(arange(contextLength, ScalarType.Float64), inv);       // [context, dim/2]
        var full = cat(new[] { angles, angles }, -1);                             // [context, dim]
        cos = full.cos().to(ScalarType.Float32);
        sin = full.sin().to(ScalarType.Float32);
        register_buffer("cos", cos, persistent: false);
        register_buffer("sin", sin, persistent: false);
    }

    public long ContextLength => cos.shape[0];

    /// <summary>Rotates x [..., time, dim] for absolute positions start .. start+time-1.</summary>
    public Tensor Apply(Tensor x, long start)
    {
        var t = x.shape[^2];
        if (start + t > ContextLength)
            throw new InvalidOperationException($"position {start + t} is past the model's context_length {ContextLength}");
        using var scope = NewDisposeScope();
        var c = cos.narrow(0, start, t).to(x.dtype, x.device);
        var s = sin.narrow(0, start, t).to(x.dtype, x.device);
        var halves = x.chunk(2, -1);
        var rotated = cat(new[] { halves[1].neg(), halves[0] }, -1);
        return (x * c + rotated * s).MoveToOuterDisposeScope();
    }
}
