using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ablations.Model.Attention;

/// <summary>
/// Sliding-window attention computed on the CPU by hand, one (batch, head) slice at a time: each query reads
/// exactly the keys of its window, so no work is spent on the corners a chunked band computes and masks.
/// Forward keeps no probabilities: it returns each row's log-sum-exp of scaled scores, from which backward
/// recomputes them (as FlashAttention does), so memory kept for backward grows with t, not t x window.
/// Probabilities (and their gradients) are laid out in bands: row i holds slot m for key i - window + 1 + m,
/// at offset Margin + m of a row of Stride(window) floats; slots before the sequence start and the margins on
/// both sides are zero, so four neighbouring rows can be read over one common run of keys. The products are
/// the register-blocked loops of <see cref="BandProducts"/> (AVX-512 where present, else AVX2/FMA).
/// Head widths must be multiples of 8.
/// </summary>
internal static unsafe class BandKernel
{
    /// <summary>Rows (queries, or keys in the transposed products) handled together.</summary>
    public const int Rows = BandProducts.Rows;

    /// <summary>Zero columns after the last key in a transposed key matrix, so whole-register loads never run past it.</summary>
    public const int Pad = BandProducts.Overrun;

    /// <summary>Zero slots on each side of a band row (at least Rows - 1).</summary>
    public const int Margin = 4;

    public static bool Supported => Fma.IsSupported && Avx2.IsSupported;

    /// <summary>The instructions the products use, for descriptions.</summary>
    public static string Instructions => BandProducts.Wide ? "AVX-512" : "AVX2/FMA";

    /// <summary>Floats per band row.</summary>
    public static int Stride(int window) => window + 2 * Margin;

    /// <summary>Floats of scratch one call of <see cref="Forward"/> or <see cref="RowGradients"/> needs.</summary>
    public static int ScratchLength(int window) => Rows * (ScratchStride(window) + Stride(window));

    static int ScratchStride(int window) => window + Rows + Pad;

    /// <summary>
    /// Forward pass for query rows [from, to) of one slice. q: [t, d]; kt: [d, t + Pad] (keys transposed, zero
    /// padded); v: [t, dv]; writes o: [t, dv] and lse: [t], the log of each row's sum of exp(scale x score).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* q, float* kt, float* v, float* lse, float* o, int t, int d, int dv, int w, float scale,
        int from, int to, float* scratch)
    {
        int tp = t + Pad, ld = ScratchStride(w), stride = Stride(w);
        float* p = scratch + Rows * ld;   // band rows of the current block
        for (int i0 = from; i0 < to; i0 += Rows)
        {
            int rows = Math.Min(Rows, to - i0);
            int jStart = Math.Max(0, i0 - w + 1);
            BandProducts.Scores(q + (long)i0 * d, d, rows, kt + jStart, tp, i0 + rows - jStart, scratch, ld);
            for (int r = 0; r < rows; r++)
            {
                int i = i0 + r, lo = Math.Max(0, i - w + 1), first = lo - (i - w + 1);
                float* row = p + r * stride;
                ClearOutside(row, first, w);
                lse[i] = Softmax(scratch + r * ld + (lo - jStart), i - lo + 1, scale, row + Margin + first);
            }
            MixRows(p, stride, w, i0, rows, v, dv, o, 1f);
        }
    }

    /// <summary>
    /// Backward pass for query rows [from, to) of one slice: recomputes the probabilities P = exp(scale S - lse)
    /// into band rows p, takes dP = dO V^T over each band, writes dS = P (dP - rowsum(P dP)) into band rows ds,
    /// and dq = scale dS K. q, k: [t, d]; kt: [d, t + Pad]; dout: [t, dv]; vt: [dv, t + Pad]; lse: [t];
    /// p, ds: [t, Stride(w)]; dq: [t, d].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowGradients(float* q, float* kt, float* dout, float* vt, float* k, float* lse, float* p, float* ds, float* dq,
        int t, int d, int dv, int w, float scale, int from, int to, float* scratch)
    {
        int tp = t + Pad, ld = ScratchStride(w), stride = Stride(w);
        for (int i0 = from; i0 < to; i0 += Rows)
        {
            int rows = Math.Min(Rows, to - i0);
            int jStart = Math.Max(0, i0 - w + 1), n = i0 + rows - jStart;
            BandProducts.Scores(q + (long)i0 * d, d, rows, kt + jStart, tp, n, scratch, ld);
            for (int r = 0; r < rows; r++)
            {
                int i = i0 + r, lo = Math.Max(0, i - w + 1), first = lo - (i - w + 1);
                float* prow = p + (long)i * stride;
                ClearOutside(prow, first, w);
                Probabilities(scratch + r * ld + (lo - jStart), i - lo + 1, scale, lse[i], prow + Margin + first);
            }
            BandProducts.Scores(dout + (long)i0 * dv, dv, rows, vt + jStart, tp, n, scratch, ld);
            for (int r = 0; r < rows; r++)
            {
                int i = i0 + r, lo = Math.Max(0, i - w + 1), first = lo - (i - w + 1);
                float* dsrow = ds + (long)i * stride;
                ClearOutside(dsrow, first, w);
                SoftmaxGradient(p + (long)i * stride + Margin + first, scratch + r * ld + (lo - jStart), i - lo + 1, dsrow + Margin + first);
            }
            MixRows(ds + (long)i0 * stride, stride, w, i0, rows, k, d, dq, scale);
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
            BandProducts.Mix(weights, stride - 1, keys, x + (long)j0 * width, width, last - j0 + 1, output + (long)j0 * width, width, factor, 1);
        }
    }

    /// <summary>
    /// out_i = factor sum over keys j of band[i, slot j - i + w - 1] x_j for rows i0..i0+rows-1, over the keys
    /// any of them sees, from the band rows of those rows (`stride` apart, the first at band0); each row's own
    /// weights outside its window are the zero slots of the band layout.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void MixRows(float* band0, int stride, int w, int i0, int rows, float* x, int width, float* output, float factor)
    {
        int jStart = Math.Max(0, i0 - w + 1), jEnd = i0 + rows - 1;
        // Row i0 + r weighs key j at slot j - i0 - r + w - 1: rows step back one slot as they step down one row.
        float* weights = band0 + Margin + (jStart - i0 + w - 1);
        BandProducts.Mix(weights, 1, rows, x + (long)jStart * width, width, jEnd - jStart + 1, output + (long)i0 * width, width, factor, stride - 1);
    }

    /// <summary>Zeroes a band row's left margin, its slots before the sequence start, and its right margin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void ClearOutside(float* row, int first, int w)
    {
        new Span<float>(row, Margin + first).Clear();
        new Span<float>(row + Margin + w, Margin).Clear();
    }

    /// <summary>dst = softmax(scale x s) over count values; returns log(sum of exp(scale x s)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Softmax(float* s, int count, float scale, float* dst)
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
        sum += Vector256.Sum(vsum);
        var inv = 1f / sum;
        var vinv = Vector256.Create(inv);
        for (m = 0; m + 8 <= count; m += 8) Avx.Store(dst + m, Avx.LoadVector256(dst + m) * vinv);
        for (; m < count; m++) dst[m] *= inv;
        return max * scale + MathF.Log(sum);
    }

    /// <summary>dst = exp(scale x s - lse) over count values: the probabilities again from the saved log-sum-exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Probabilities(float* s, int count, float scale, float lse, float* dst)
    {
        int m = 0;
        var vscale = Vector256.Create(scale);
        var vshift = Vector256.Create(-lse);
        for (; m + 8 <= count; m += 8) Avx.Store(dst + m, Vector256.Exp(Fma.MultiplyAdd(Avx.LoadVector256(s + m), vscale, vshift)));
        for (; m < count; m++) dst[m] = MathF.Exp(s[m] * scale - lse);
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
