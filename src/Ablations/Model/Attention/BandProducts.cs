using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ablations.Model.Attention;

/// <summary>
/// The two register-blocked products the band kernel is made of, for up to <see cref="Rows"/> rows at a time:
/// <see cref="Scores"/> (rows of a matrix against columns of a transposed one) and <see cref="Mix"/> (weighted
/// sums of rows). Each has an AVX-512 form (32 columns in two 512-bit registers per row, used where the processor
/// has AVX-512F) and an AVX2/FMA form (16 columns in two 256-bit registers). Zen 4 runs both at the same peak rate
/// of multiply-adds, but the 512-bit form issues half the instructions, so it stays at that rate where the 256-bit
/// one is held back by instruction issue.
/// </summary>
internal static unsafe class BandProducts
{
    /// <summary>Rows handled together: four accumulator pairs, each a row of 32 (or 16) columns.</summary>
    public const int Rows = 4;

    /// <summary>Columns read past the last one asked for, at most (loads of whole registers).</summary>
    public const int Overrun = 16;

    /// <summary>True where the 512-bit forms run (AVX-512F).</summary>
    public static bool Wide { get; } = Avx512F.IsSupported;

    /// <summary>
    /// s[r, c] = x_r . kt[:, c] for r &lt; rows and c &lt; n, written for c up to n rounded up to 16: x_r are rows of
    /// `depth` floats `depth` apart; kt holds `depth` rows of columns, `ldk` apart, readable up to n + 15;
    /// s rows are `ld` apart. Rows past `rows` repeat the last one. `wide` picks the form (tests); by default <see cref="Wide"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scores(float* x, int depth, int rows, float* kt, int ldk, int n, float* s, int ld, bool? wide = null)
    {
        float* x0 = x, x1 = x + Math.Min(1, rows - 1) * depth, x2 = x + Math.Min(2, rows - 1) * depth, x3 = x + Math.Min(3, rows - 1) * depth;
        if (wide ?? Wide) Scores512(x0, x1, x2, x3, depth, kt, ldk, n, s, ld);
        else Scores256(x0, x1, x2, x3, depth, kt, ldk, n, s, ld);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Scores512(float* x0, float* x1, float* x2, float* x3, int depth, float* kt, int ldk, int n, float* s, int ld)
    {
        int c = 0;
        for (; c + 16 < n; c += 32)
        {
            Vector512<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            float* col = kt + c;
            for (int e = 0; e < depth; e++, col += ldk)
            {
                var k0 = Avx512F.LoadVector512(col);
                var k1 = Avx512F.LoadVector512(col + 16);
                var y = Vector512.Create(x0[e]); a0 = Avx512F.FusedMultiplyAdd(y, k0, a0); b0 = Avx512F.FusedMultiplyAdd(y, k1, b0);
                y = Vector512.Create(x1[e]); a1 = Avx512F.FusedMultiplyAdd(y, k0, a1); b1 = Avx512F.FusedMultiplyAdd(y, k1, b1);
                y = Vector512.Create(x2[e]); a2 = Avx512F.FusedMultiplyAdd(y, k0, a2); b2 = Avx512F.FusedMultiplyAdd(y, k1, b2);
                y = Vector512.Create(x3[e]); a3 = Avx512F.FusedMultiplyAdd(y, k0, a3); b3 = Avx512F.FusedMultiplyAdd(y, k1, b3);
            }
            float* dst = s + c;
            Avx512F.Store(dst, a0); Avx512F.Store(dst + 16, b0);
            Avx512F.Store(dst + ld, a1); Avx512F.Store(dst + ld + 16, b1);
            Avx512F.Store(dst + 2 * ld, a2); Avx512F.Store(dst + 2 * ld + 16, b2);
            Avx512F.Store(dst + 3 * ld, a3); Avx512F.Store(dst + 3 * ld + 16, b3);
        }
        if (c < n)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            float* col = kt + c;
            for (int e = 0; e < depth; e++, col += ldk)
            {
                var k0 = Avx512F.LoadVector512(col);
                a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[e]), k0, a0);
                a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[e]), k0, a1);
                a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[e]), k0, a2);
                a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[e]), k0, a3);
            }
            float* dst = s + c;
            Avx512F.Store(dst, a0); Avx512F.Store(dst + ld, a1); Avx512F.Store(dst + 2 * ld, a2); Avx512F.Store(dst + 3 * ld, a3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Scores256(float* x0, float* x1, float* x2, float* x3, int depth, float* kt, int ldk, int n, float* s, int ld)
    {
        for (int c = 0; c < n; c += 16)
        {
            Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            float* col = kt + c;
            for (int e = 0; e < depth; e++, col += ldk)
            {
                var k0 = Avx.LoadVector256(col);
                var k1 = Avx.LoadVector256(col + 8);
                var y = Vector256.Create(x0[e]); a0 = Fma.MultiplyAdd(y, k0, a0); b0 = Fma.MultiplyAdd(y, k1, b0);
                y = Vector256.Create(x1[e]); a1 = Fma.MultiplyAdd(y, k0, a1); b1 = Fma.MultiplyAdd(y, k1, b1);
                y = Vector256.Create(x2[e]); a2 = Fma.MultiplyAdd(y, k0, a2); b2 = Fma.MultiplyAdd(y, k1, b2);
                y = Vector256.Create(x3[e]); a3 = Fma.MultiplyAdd(y, k0, a3); b3 = Fma.MultiplyAdd(y, k1, b3);
            }
            float* dst = s + c;
            Avx.Store(dst, a0); Avx.Store(dst + 8, b0);
            Avx.Store(dst + ld, a1); Avx.Store(dst + ld + 8, b1);
            Avx.Store(dst + 2 * ld, a2); Avx.Store(dst + 2 * ld + 8, b2);
            Avx.Store(dst + 3 * ld, a3); Avx.Store(dst + 3 * ld + 8, b3);
        }
    }

    /// <summary>
    /// For a = 0..lanes-1 (at most Rows): out_a = factor sum over n &lt; count of weight(a, n) x_n, where x_n are
    /// rows of `width` floats (a multiple of 8) and weight(a, n) = weights[a * laneStep + n * step]; out rows are
    /// `outStride` apart. `wide` picks the form (tests); by default <see cref="Wide"/> where width is a multiple of 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Mix(float* weights, int step, int lanes, float* x, int width, int count, float* output, int outStride, float factor,
        int laneStep, bool? wide = null)
    {
        float* w0 = weights, w1 = weights + Math.Min(1, lanes - 1) * laneStep, w2 = weights + Math.Min(2, lanes - 1) * laneStep,
            w3 = weights + Math.Min(3, lanes - 1) * laneStep;
        if ((wide ?? Wide) && width % 16 == 0) Mix512(w0, w1, w2, w3, step, lanes, x, width, count, output, outStride, factor);
        else Mix256(w0, w1, w2, w3, step, lanes, x, width, count, output, outStride, factor);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Mix512(float* w0, float* w1, float* w2, float* w3, int step, int lanes, float* x, int width, int count, float* output,
        int outStride, float factor)
    {
        var f = Vector512.Create(factor);
        for (int c = 0; c < width; c += 32)
        {
            bool two = c + 32 <= width;
            Vector512<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            float* row = x + c;
            long off = 0;
            if (two)
            {
                for (int n = 0; n < count; n++, row += width, off += step)
                {
                    var x0 = Avx512F.LoadVector512(row);
                    var x1 = Avx512F.LoadVector512(row + 16);
                    var s = Vector512.Create(w0[off]); a0 = Avx512F.FusedMultiplyAdd(s, x0, a0); b0 = Avx512F.FusedMultiplyAdd(s, x1, b0);
                    s = Vector512.Create(w1[off]); a1 = Avx512F.FusedMultiplyAdd(s, x0, a1); b1 = Avx512F.FusedMultiplyAdd(s, x1, b1);
                    s = Vector512.Create(w2[off]); a2 = Avx512F.FusedMultiplyAdd(s, x0, a2); b2 = Avx512F.FusedMultiplyAdd(s, x1, b2);
                    s = Vector512.Create(w3[off]); a3 = Avx512F.FusedMultiplyAdd(s, x0, a3); b3 = Avx512F.FusedMultiplyAdd(s, x1, b3);
                }
            }
            else
            {
                for (int n = 0; n < count; n++, row += width, off += step)
                {
                    var x0 = Avx512F.LoadVector512(row);
                    a0 = Avx512F.FusedMultiplyAdd(Vector512.Create(w0[off]), x0, a0);
                    a1 = Avx512F.FusedMultiplyAdd(Vector512.Create(w1[off]), x0, a1);
                    a2 = Avx512F.FusedMultiplyAdd(Vector512.Create(w2[off]), x0, a2);
                    a3 = Avx512F.FusedMultiplyAdd(Vector512.Create(w3[off]), x0, a3);
                }
            }
            Store(output + c, a0 * f, b0 * f, two);
            if (lanes > 1) Store(output + outStride + c, a1 * f, b1 * f, two);
            if (lanes > 2) Store(output + 2 * outStride + c, a2 * f, b2 * f, two);
            if (lanes > 3) Store(output + 3 * outStride + c, a3 * f, b3 * f, two);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Mix256(float* w0, float* w1, float* w2, float* w3, int step, int lanes, float* x, int width, int count, float* output,
        int outStride, float factor)
    {
        var f = Vector256.Create(factor);
        for (int c = 0; c < width; c += 16)
        {
            bool two = c + 16 <= width;
            Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            float* row = x + c;
            long off = 0;
            for (int n = 0; n < count; n++, row += width, off += step)
            {
                var x0 = Avx.LoadVector256(row);
                var x1 = two ? Avx.LoadVector256(row + 8) : default;
                var s = Vector256.Create(w0[off]); a0 = Fma.MultiplyAdd(s, x0, a0); b0 = Fma.MultiplyAdd(s, x1, b0);
                s = Vector256.Create(w1[off]); a1 = Fma.MultiplyAdd(s, x0, a1); b1 = Fma.MultiplyAdd(s, x1, b1);
                s = Vector256.Create(w2[off]); a2 = Fma.MultiplyAdd(s, x0, a2); b2 = Fma.MultiplyAdd(s, x1, b2);
                s = Vector256.Create(w3[off]); a3 = Fma.MultiplyAdd(s, x0, a3); b3 = Fma.MultiplyAdd(s, x1, b3);
            }
            Store(output + c, a0 * f, b0 * f, two);
            if (lanes > 1) Store(output + outStride + c, a1 * f, b1 * f, two);
            if (lanes > 2) Store(output + 2 * outStride + c, a2 * f, b2 * f, two);
            if (lanes > 3) Store(output + 3 * outStride + c, a3 * f, b3 * f, two);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Store(float* dst, Vector512<float> a, Vector512<float> b, bool two)
    {
        Avx512F.Store(dst, a);
        if (two) Avx512F.Store(dst + 16, b);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Store(float* dst, Vector256<float> a, Vector256<float> b, bool two)
    {
        Avx.Store(dst, a);
        if (two) Avx.Store(dst + 8, b);
    }
}
