using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ablations.Model.Attention;

/// <summary>
/// Sliding-window attention computed on the CPU by hand, one (batch, head) slice at a time: each query reads
/// exactly the keys of its window, so no work is spent on the corners a chunked band computes and masks.
/// Probabilities (and their gradients) are kept in a band layout: row i holds slot m for key i - window + 1 + m,
/// at offset Margin + m of a row of Stride(window) floats; slots before the sequence start and the margins on
/// both sides are zero, so four neighbouring rows can be read over one common run of keys. The products are
/// AVX2/FMA register-blocked loops: scores for four rows against sixteen keys at a time from transposed keys,
/// weighted sums for four rows sixteen columns wide. Head widths must be multiples of 8.
/// </summary>
internal static unsafe class BandKernel
{
    /// <summary>Rows (queries, or keys in the transposed products) handled together.</summary>
    public const int Rows = 4;

    /// <summary>Zero columns after the last key in a transposed key matrix, so 16-wide loads never run past it.</summary>
    public const int Pad = 16;

    /// <summary>Zero slots on each side of a band row (at least Rows - 1).</summary>
    public const int Margin = 4;

    public static bool Supported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>Floats per band row.</summary>
    public static int Stride(int window) => window + 2 * Margin;

    /// <summary>Floats of scratch one call of <see cref="Forward"/> or <see cref="ScoreGradients"/> needs.</summary>
    public static int ScratchLength(int window) => Rows * ScratchStride(window);

    static int ScratchStride(int window) => window + Rows + Pad;

    /// <summary>
    /// Forward pass for query rows [from, to) of one slice. q: [t, d]; kt: [d, t + Pad] (keys transposed, zero
    /// padded); v: [t, dv]; writes band rows p: [t, Stride(w)] (probabilities) and o: [t, dv].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* q, float* kt, float* v, float* p, float* o, int t, int d, int dv, int w, float scale,
        int from, int to, float* scratch)
    {
        int tp = t + Pad, ld = ScratchStride(w), stride = Stride(w);
        for (int i0 = from; i0 < to; i0 += Rows)
        {
            int rows = Math.Min(Rows, to - i0);
            int jStart = Math.Max(0, i0 - w + 1);
            Scores(q + (long)i0 * d, d, rows, kt, tp, jStart, i0 + rows - jStart, scratch, ld);
            for (int r = 0; r < rows; r++)
            {
                int i = i0 + r, lo = Math.Max(0, i - w + 1), first = lo - (i - w + 1);
                float* row = p + (long)i * stride;
                ClearOutside(row, first, w);
                Softmax(scratch + r * ld + (lo - jStart), i - lo + 1, scale, row + Margin + first);
            }
            MixRows(p, stride, w, i0, rows, v, dv, o, 1f);
        }
    }

    /// <summary>
    /// Gradients of the scores for query rows [from, to): dP = dO V^T over each band, then
    /// dS = P (dP - rowsum(P dP)) into band rows ds, and dq = scale dS K.
    /// dout: [t, dv]; vt: [dv, t + Pad]; p, ds: [t, Stride(w)]; k: [t, d]; dq: [t, d].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScoreGradients(float* dout, float* vt, float* p, float* k, float* ds, float* dq, int t, int d, int dv, int w,
        float scale, int from, int to, float* scratch)
    {
        int tp = t + Pad, ld = ScratchStride(w), stride = Stride(w);
        for (int i0 = from; i0 < to; i0 += Rows)
        {
            int rows = Math.Min(Rows, to - i0);
            int jStart = Math.Max(0, i0 - w + 1);
            Scores(dout + (long)i0 * dv, dv, rows, vt, tp, jStart, i0 + rows - jStart, scratch, ld);
            for (int r = 0; r < rows; r++)
            {
                int i = i0 + r, lo = Math.Max(0, i - w + 1), first = lo - (i - w + 1), count = i - lo + 1;
                float* prow = p + (long)i * stride + Margin + first, dprow = scratch + r * ld + (lo - jStart);
                float* dsrow = ds + (long)i * stride;
                ClearOutside(dsrow, first, w);
                SoftmaxGradient(prow, dprow, count, dsrow + Margin + first);
            }
            MixRows(ds, stride, w, i0, rows, k, d, dq, scale);
        }
    }

    /// <summary>
    /// The transposed band products for key rows [from, to): out_j = factor sum over queries i in [j, j + w) of
    /// band[i, slot j - i + w - 1] x_i. With band = dS and x = q this is dK; with band = P and x = dO, dV.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MixTransposed(float* band, int w, float* x, int width, float* output, int t, float factor, int from, int to)
    {
        int stride = Stride(w);
        for (int j0 = from; j0 < to; j0 += Rows)
        {
            int keys = Math.Min(Rows, to - j0);
            int last = Math.Min(t - 1, j0 + keys - 1 + w - 1);
            // Weights of keys j0..j0+3 for query i sit side by side in band row i, from slot j0 - i + w - 1.
            float* weights = band + (long)j0 * stride + Margin + (w - 1);
            Mix(weights, stride - 1, keys, x + (long)j0 * width, width, last - j0 + 1, output + (long)j0 * width, width, factor);
        }
    }

    /// <summary>
    /// out_i = factor sum over keys j of band[i, slot j - i + w - 1] x_j for rows i0..i0+rows-1, over the keys
    /// any of them sees; each row's own weights outside its window are the zero slots of the band layout.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MixRows(float* band, int stride, int w, int i0, int rows, float* x, int width, float* output, float factor)
    {
        int jStart = Math.Max(0, i0 - w + 1), jEnd = i0 + rows - 1;
        // Row i0 + r weighs key j at slot j - i0 - r + w - 1: rows step back one slot as they step down one row.
        float* weights = band + (long)i0 * stride + Margin + (jStart - i0 + w - 1);
        Mix(weights, 1, rows, x + (long)jStart * width, width, jEnd - jStart + 1, output + (long)i0 * width, width, factor, stride - 1);
    }

    /// <summary>
    /// For a = 0..lanes-1 (at most Rows): out_a = factor sum over n &lt; count of weight(a, n) x_n, where x_n are
    /// rows of `width` floats (a multiple of 8) and weight(a, n) = weights[a * laneStep + n * step].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Mix(float* weights, int step, int lanes, float* x, int width, int count, float* output, int outStride, float factor,
        int laneStep = 1)
    {
        var f = Vector256.Create(factor);
        float* w0 = weights, w1 = weights + Math.Min(1, lanes - 1) * laneStep, w2 = weights + Math.Min(2, lanes - 1) * laneStep,
            w3 = weights + Math.Min(3, lanes - 1) * laneStep;
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
    static void Store(float* dst, Vector256<float> a, Vector256<float> b, bool two)
    {
        Avx.Store(dst, a);
        if (two) Avx.Store(dst + 8, b);
    }

    /// <summary>Zeroes a band row's left margin, its slots before the sequence start, and its right margin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ClearOutside(float* row, int first, int w)
    {
        new Span<float>(row, Margin + first).Clear();
        new Span<float>(row + Margin + w, Margin).Clear();
    }

    /// <summary>s[r, c] = q_r . kt[:, jStart + c] for r &lt; rows, c &lt; n (rounded up to 16; rows past `rows` repeat the last).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Scores(float* q, int d, int rows, float* kt, int tp, int jStart, int n, float* s, int ld)
    {
        float* q0 = q, q1 = q + Math.Min(1, rows - 1) * d, q2 = q + Math.Min(2, rows - 1) * d, q3 = q + Math.Min(3, rows - 1) * d;
        for (int c = 0; c < n; c += 16)
        {
            Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default, a3 = default, b3 = default;
            float* col = kt + jStart + c;
            for (int e = 0; e < d; e++, col += tp)
            {
                var k0 = Avx.LoadVector256(col);
                var k1 = Avx.LoadVector256(col + 8);
                var x = Vector256.Create(q0[e]); a0 = Fma.MultiplyAdd(x, k0, a0); b0 = Fma.MultiplyAdd(x, k1, b0);
                x = Vector256.Create(q1[e]); a1 = Fma.MultiplyAdd(x, k0, a1); b1 = Fma.MultiplyAdd(x, k1, b1);
                x = Vector256.Create(q2[e]); a2 = Fma.MultiplyAdd(x, k0, a2); b2 = Fma.MultiplyAdd(x, k1, b2);
                x = Vector256.Create(q3[e]); a3 = Fma.MultiplyAdd(x, k0, a3); b3 = Fma.MultiplyAdd(x, k1, b3);
            }
            float* dst = s + c;
            Avx.Store(dst, a0); Avx.Store(dst + 8, b0);
            Avx.Store(dst + ld, a1); Avx.Store(dst + ld + 8, b1);
            Avx.Store(dst + 2 * ld, a2); Avx.Store(dst + 2 * ld + 8, b2);
            Avx.Store(dst + 3 * ld, a3); Avx.Store(dst + 3 * ld + 8, b3);
        }
    }

    /// <summary>dst = softmax(scale x s) over count values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Softmax(float* s, int count, float scale, float* dst)
    {
        int m = 0;
        var vmax = Vector256.Create(float.NegativeInfinity);
        for (; m + 8 <= count; m += 8) vmax = Vector256.Max(vmax, Avx.LoadVector256(s + m));
        float max = float.NegativeInfinity;
        for (int l = 0; l < 8; l++) max = Math.Max(max, vmax.GetElement(l));
        for (; m < count; m++) max = Math.Max(max, s[m]);
        var vscale = Vector256.Create(scale);
        var vshift = Vector256.Create(-max * scale);
        var vsum = Vector256<float>.Zero;
        float sum = 0;
        for (m = 0; m + 8 <= count; m += 8)
        {
            var e = Vector256.Exp(Fma.MultiplyAdd(Avx.LoadVector256(s + m), vscale, vshift));
            Avx.Store(dst + m, e);
            vsum += e;
        }
        for (; m < count; m++)
        {
            var e = MathF.Exp(s[m] * scale - max * scale);
            dst[m] = e;
            sum += e;
        }
        var inv = 1f / (sum + Vector256.Sum(vsum));
        var vinv = Vector256.Create(inv);
        for (m = 0; m + 8 <= count; m += 8) Avx.Store(dst + m, Avx.LoadVector256(dst + m) * vinv);
        for (; m < count; m++) dst[m] *= inv;
    }

    /// <summary>ds = p (dp - sum(p dp)) over count values: the softmax's backward pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void SoftmaxGradient(float* p, float* dp, int count, float* ds)
    {
        int m = 0;
        var vdot = Vector256<float>.Zero;
        for (; m + 8 <= count; m += 8) vdot = Fma.MultiplyAdd(Avx.LoadVector256(p + m), Avx.LoadVector256(dp + m), vdot);
        float dot = Vector256.Sum(vdot);
        for (; m < count; m++) dot += p[m] * dp[m];
        var vd = Vector256.Create(dot);
        for (m = 0; m + 8 <= count; m += 8)
            Avx.Store(ds + m, Avx.LoadVector256(p + m) * (Avx.LoadVector256(dp + m) - vd));
        for (; m < count; m++) ds[m] = p[m] * (dp[m] - dot);
    }
}
