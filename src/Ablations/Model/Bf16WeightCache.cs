using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// The bfloat16 copies of a model's fp32 weights, made on first use and reused until the weights change (the
/// optimiser step, a checkpoint load), so a weight used by several micro-batches or twice in one pass (a tied
/// embedding) is cast once. A copy made with gradients on is a node of the autograd graph: gradients flow
/// through it back to the fp32 weight, and a cast has nothing saved that backward could free, so every
/// micro-batch's backward can pass through it. Copies made without gradients (evaluation, generation) are kept
/// apart, since they carry no path back to the weight.
/// </summary>
public sealed class Bf16WeightCache : IDisposable
{
    readonly Dictionary<(object Owner, bool Grad), Tensor> _copies = new(new ByOwner());

    /// <summary>Casts made since the cache was built (tests check a weight is cast once per step).</summary>
    public long Casts { get; private set; }

    public int Count => _copies.Count;

    /// <summary>
    /// The bf16 copy of <paramref name="weight"/> (an fp32 parameter) held by <paramref name="owner"/> (its module,
    /// or the parameter itself where a module keeps it as a field): TorchSharp may hand out a new wrapper of the
    /// same parameter on each access, so the owner, compared by reference, names it. The copy belongs to the
    /// cache, not to the caller's dispose scope.
    /// </summary>
    public Tensor Get(object owner, Tensor weight)
    {
        var key = (owner, is_grad_enabled());
        if (_copies.TryGetValue(key, out var copy)) return copy;
        copy = weight.to(ScalarType.BFloat16).DetachFromDisposeScope();
        _copies[key] = copy;
        Casts++;
        return copy;
    }

    /// <summary>Forgets every copy: the weights changed.</summary>
    public void Invalidate()
    {
        foreach (var t in _copies.Values) t.Dispose();
        _copies.Clear();
    }

    public void Dispose() => Invalidate();

    sealed class ByOwner : IEqualityComparer<(object Owner, bool Grad)>
    {
        public bool Equals((object Owner, bool Grad) a, (object Owner, bool Grad) b) => ReferenceEquals(a.Owner, b.Owner) && a.Grad == b.Grad;
        public int GetHashCode((object Owner, bool Grad) k) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Owner), k.Grad);
    }
}
