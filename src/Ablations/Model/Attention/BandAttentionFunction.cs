using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// Sliding-window attention over a whole sequence as one autograd operation backed by <see cref="BandKernel"/>:
/// forward keeps q, k, v and each row's log-sum-exp [b, h, t]; backward recomputes the band of probabilities
/// from them, a few (batch, head) slices at a time, and computes dS = P (dP - rowsum(P dP)), dQ = scale dS K,
/// dK = scale dS^T Q and dV = P^T dO over the same bands. Work grows with t x window; memory kept between
/// forward and backward with t, and the bands of backward with the thread count x t x window. Slices and
/// blocks of rows run in parallel on torch's thread count.
/// </summary>
public sealed class BandAttentionFunction : autograd.MultiTensorFunction<BandAttentionFunction>
{
    const int RowsPerTask = 128;

    public override string Name => nameof(BandAttentionFunction);

    /// <summary>True when this processor runs the kernel (AVX2 and FMA; AVX-512 used where present).</summary>
    public static bool KernelAvailable => BandKernel.Supported;

    /// <summary>The instructions the kernel runs on this processor ("AVX-512" or "AVX2/FMA").</summary>
    public static string Instructions => BandKernel.Instructions;

    /// <summary>True when the kernel can take these inputs: float32 on the CPU, head widths multiples of 8, AVX2/FMA.</summary>
    public static bool Accepts(Tensor q, Tensor v) =>
        BandKernel.Supported && q.device.type == DeviceType.CPU && q.dtype == ScalarType.Float32 && v.dtype == ScalarType.Float32 &&
        q.shape[^1] % 8 == 0 && v.shape[^1] % 8 == 0;

    /// <summary>q, k: [b, h, t, d]; v: [b, h, t, dv]. Returns [b, h, t, dv].</summary>
    public static Tensor Apply(Tensor q, Tensor k, Tensor v, int window) => apply(q, k, v, window)[0];

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (q, k, v, window) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (int)vars[3]);
        using var noGrad = no_grad();
        var (b, h, t, d) = ((int)q.shape[0], (int)q.shape[1], (int)q.shape[2], (int)q.shape[3]);
        var dv = (int)v.shape[3];
        var w = Math.Min(window, t);
        var qc = q.contiguous();
        var kc = k.contiguous();
        var vc = v.contiguous();
        using var kt = Transposed(kc);
        var lse = empty(new long[] { b, h, t });
        var o = empty(new long[] { b, h, t, dv });
        var scale = Scale(d);
        unsafe
        {
            float* qp = Ptr(qc), ktp = Ptr(kt), vp = Ptr(vc), lp = Ptr(lse), op = Ptr(o);
            ForRowBlocks(0, b * h, t, BandKernel.ScratchLength(w), (slice, from, to, scratch) =>
                BandKernel.Forward(qp + (long)slice * t * d, ktp + (long)slice * d * (t + BandKernel.Pad), vp + (long)slice * t * dv,
                    lp + (long)slice * t, op + (long)slice * t * dv, t, d, dv, w, scale, from, to, scratch));
        }
        ctx.save_for_backward(new List<Tensor> { qc, kc, vc, lse });
        ctx.save_data("window", w);
        return new List<Tensor> { o };
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grads)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (q, k, v, lse) = (saved[0], saved[1], saved[2], saved[3]);
        var w = (int)ctx.get_data("window");
        var (b, h, t, d) = ((int)q.shape[0], (int)q.shape[1], (int)q.shape[2], (int)q.shape[3]);
        var dv = (int)v.shape[3];
        var dout = grads[0].contiguous();
        var kt = Transposed(k);
        var vt = Transposed(v);
        var band = BandKernel.Stride(w);
        // The bands of one batch of slices: enough slices to keep every thread busy, no more.
        var batch = Math.Min(b * h, TorchThreadTeam.Threads);
        var p = empty(new long[] { batch, t, band });
        var ds = empty(new long[] { batch, t, band });
        var dq = empty_like(q);
        var dk = empty_like(k);
        var dvOut = empty_like(v);
        var scale = Scale(d);
        int tp = t + BandKernel.Pad;
        unsafe
        {
            float* qp = Ptr(q), kp = Ptr(k), ktp = Ptr(kt), vtp = Ptr(vt), lp = Ptr(lse), dop = Ptr(dout), pp = Ptr(p), dsp = Ptr(ds),
                dqp = Ptr(dq), dkp = Ptr(dk), dvp = Ptr(dvOut);
            for (int first = 0; first < b * h; first += batch)
            {
                int count = Math.Min(batch, b * h - first), start = first;
                ForRowBlocks(start, count, t, BandKernel.ScratchLength(w), (slice, from, to, scratch) =>
                {
                    long local = (long)(slice - start) * t * band;
                    BandKernel.RowGradients(qp + (long)slice * t * d, ktp + (long)slice * d * tp, dop + (long)slice * t * dv,
                        vtp + (long)slice * dv * tp, kp + (long)slice * t * d, lp + (long)slice * t, pp + local, dsp + local,
                        dqp + (long)slice * t * d, t, d, dv, w, scale, from, to, scratch);
                });
                ForRowBlocks(start, count, t, 0, (slice, from, to, _) =>
                {
                    long local = (long)(slice - start) * t * band;
                    BandKernel.MixTransposed(dsp + local, w, qp + (long)slice * t * d, d, dkp + (long)slice * t * d, t, scale, from, to);
                    BandKernel.MixTransposed(pp + local, w, dop + (long)slice * t * dv, dv, dvp + (long)slice * t * dv, t, 1f, from, to);
                });
            }
        }
        return new List<Tensor> { dq.MoveToOuterDisposeScope(), dk.MoveToOuterDisposeScope(), dvOut.MoveToOuterDisposeScope(), null! };
    }

    static float Scale(int d) => (float)(1.0 / Math.Sqrt(d));

    /// <summary>[b, h, t, d] -> [b, h, d, t + Pad], contiguous, zero in the padding columns.</summary>
    static Tensor Transposed(Tensor x) =>
        nn.functional.pad(x.transpose(2, 3), new long[] { 0, BandKernel.Pad }).contiguous();

    /// <summary>The first float of a contiguous CPU tensor (its byte view starts at the data pointer, offset included).</summary>
    static unsafe float* Ptr(Tensor x) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(x.bytes));

    unsafe delegate void RowBlock(int slice, int from, int to, float* scratch);

    /// <summary>
    /// Runs body over every (slice, block of rows) of slices [first, first + slices) in parallel, each worker with
    /// its own scratch buffer.
    /// </summary>
    static unsafe void ForRowBlocks(int first, int slices, int t, int scratchLength, RowBlock body)
    {
        var blocks = (t + RowsPerTask - 1) / RowsPerTask;
        var scratch = Enumerable.Range(0, TorchThreadTeam.Threads)
            .Select(_ => (IntPtr)NativeMemory.AlignedAlloc((nuint)Math.Max(1, scratchLength) * sizeof(float), 64)).ToArray();
        try
        {
            TorchThreadTeam.For(slices * blocks, (item, worker) =>
            {
                int slice = first + item / blocks, from = item % blocks * RowsPerTask;
                body(slice, from, Math.Min(t, from + RowsPerTask), (float*)scratch[worker]);
            });
        }
        finally
        {
            foreach (var buffer in scratch) NativeMemory.AlignedFree((void*)buffer);
        }
    }
}
