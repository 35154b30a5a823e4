using System.Collections.Concurrent;
using TorchSharp;

namespace Ablations.Common;

/// <summary>
/// Scalars handed to libtorch that live for the whole process. An implicit double-to-Scalar conversion makes a
/// temporary whose last managed use is reading its handle, so a garbage collection during the native call may
/// finalise it and libtorch reads freed memory ("Unknown scalar type"); TorchSharp's DisposeScope does not track
/// Scalars. Code that runs every step passes these instead: one per distinct value, kept in this cache, never freed.
/// </summary>
public static class Scalars
{
    static readonly ConcurrentDictionary<double, Scalar> Doubles = new();
    static readonly ConcurrentDictionary<long, Scalar> Integers = new();

    /// <summary>A double scalar, as the implicit conversion from double makes it (same dtype, same value).</summary>
    public static Scalar Of(double value) => Doubles.GetOrAdd(value, v => v.ToScalar());

    /// <summary>An integer scalar, as the implicit conversion from int or long makes it (pow(2) squares exactly).</summary>
    public static Scalar Of(long value) => Integers.GetOrAdd(value, v => v.ToScalar());

    public static Scalar NegativeInfinity => Of(double.NegativeInfinity);
}
