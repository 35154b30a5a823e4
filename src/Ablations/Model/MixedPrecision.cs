using Ablations.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// How a model computes, shared with its layers through the forward context (torch.autocast's split, built by
/// hand since TorchSharp has no autocast). fp32: every operation as written. bf16: matrix products (linear
/// layers, expert products, the output head) and attention take bfloat16 inputs and weights; norm statistics,
/// softmax normalisers, router scores, the loss and the residual stream stay float32; weights and their gradients
/// stay float32, cast once per optimiser step through <see cref="Bf16WeightCache"/>.
/// </summary>
public sealed class MixedPrecision : IDisposable
{
    readonly Bf16WeightCache _weights = new();

    /// <param name="precision">fp32 or bf16 (auto is resolved before a model is given its precision).</param>
    public MixedPrecision(Precision precision)
    {
        if (precision == Precision.Auto) throw new ArgumentException("auto must be resolved to fp32 or bf16 before the model computes", nameof(precision));
        Precision = precision;
    }

    public Precision Precision { get; }

    public bool IsBf16 => Precision == Precision.Bf16;

    /// <summary>The dtype of matrix products and attention.</summary>
    public ScalarType ComputeType => IsBf16 ? ScalarType.BFloat16 : ScalarType.Float32;

    public Bf16WeightCache Weights => _weights;

    /// <summary>A layer applied to x: as the layer itself computes it in fp32; in bf16, x and the cached weight copies in bfloat16.</summary>
    public Tensor Linear(Linear layer, Tensor x)
    {
        if (!IsBf16) return layer.call(x);
        var bias = layer.bias?.to(ScalarType.BFloat16);                             // (no layer of the model has one; not cached)
        return nn.functional.linear(Compute(x), Weight(layer), bias);
    }

    /// <summary>x times a weight already made ready by <see cref="Weight"/> (a tied output head, a slice of a nested feed-forward).</summary>
    public Tensor Linear(Tensor x, Tensor readyWeight) => nn.functional.linear(Compute(x), readyWeight);

    /// <summary>A layer's weight to multiply by: itself in fp32, its cached bf16 copy in bf16.</summary>
    public Tensor Weight(Linear layer) => IsBf16 ? _weights.Get(layer, layer.weight!) : layer.weight!;

    /// <summary>An embedding table used as a matrix (the tied output head).</summary>
    public Tensor Weight(Embedding table) => IsBf16 ? _weights.Get(table, table.weight!) : table.weight!;

    /// <summary>A parameter a module holds as a field (stacked expert weights).</summary>
    public Tensor Weight(Parameter weight) => IsBf16 ? _weights.Get(weight, weight) : weight;

    /// <summary>An activation made ready for a matrix product or attention: cast to bfloat16 in bf16, unchanged otherwise.</summary>
    public Tensor Compute(Tensor x) => IsBf16 && x.dtype != ScalarType.BFloat16 ? x.to(ScalarType.BFloat16) : x;

    /// <summary>Back to float32 where a sum or normaliser follows (a no-op on float32).</summary>
    public static Tensor Full(Tensor x) => x.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? x.to(ScalarType.Float32) : x;

    /// <summary>The weights changed (optimiser step, checkpoint load): the bf16 copies are stale.</summary>
    public void Invalidate() => _weights.Invalidate();

    public void Dispose() => _weights.Dispose();

    /// <summary>Plain float32 for callers that build a context by hand (tests, the attention benchmark); it never caches.</summary>
    public static MixedPrecision Fp32 { get; } = new(Precision.Fp32);
}
