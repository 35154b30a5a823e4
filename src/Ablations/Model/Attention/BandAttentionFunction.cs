using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.Attention;

/// <summary>
/// Sliding-window attention over a whole sequence as one autograd operation backed by <see cref="BandKernel"/>:
/// forward keeps the band of probabilities [b, h, t, window + margins]; backward computes dS = P (dP - rowsum(P dP)),
/// dQ = scale dS K, dK = scale dS^T Q and dV = P^T dO over the same bands. Work and memory grow with
/// t x window. Slices (batch, head) and blocks of rows run in parallel on torch's thread count.
/// </summary>
public sealed class BandAttentionFunction : autograd.MultiTensorFunction<BandAttentionFunction>
{
    const int RowsPerTask = 128;

    public override string Name => nameof(BandAttentionFunction);

    /// <summary>True when this processor runs the kernel (AVX2 and FMA).</summary>
    public static bool KernelAvailable => BandKernel.Supported;

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
        var band = BandKernel.Stride(w);
        var p = empty(new long[] { b, h, t, band });
        var o = empty(new long[] { b, h, t, dv });
        var scale = (float)(1.0 / Math.Sqrt(d));
        unsafe
        {
            float* qp = Ptr(qc), ktp = Ptr(kt), vp = Ptr(vc), pp = Ptr(p), op = Ptr(o);
            ForRowBlocks(b * h, t, BandKernel.ScratchLength(w), (slice, from, to, scratch) =>
                BandKernel.Forward(qp + (long)slice * t * d, ktp + (long)slice * d * (t + BandKernel.Pad), vp + (long)slice * t * dv,
                    pp + (long)slice * t * band, op + (long)slice * t * dv, t, d, dv, w, scale, from, to, scratch));
        }
        ctx.save_for_backward(new List<Tensor> { qc, kc, vc, p });
        ctx.save_data("window", w);
        return new List<Tensor> { o };
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grads)
    {
        using var scope = NewDisposeScope();
        var saved = ctx.get_saved_variables();
        var (q, k, v, p) = (saved[0], saved[1], saved[2], saved[3]);
        var w = (int)ctx.get_data("window");
        var (b, h, t, d) = ((int)q.shape[0], (int)q.shape[1], (int)q.shape[2], (int)q.shape[3]);
        var dv = (int)v.shape[3];
        var dout = grads[0].contiguous();
        var vt = Transposed(v);
        var band = BandKernel.Stride(w);
        var ds = empty(new long[] { b, h, t, band });
        var dq = empty_like(q);
        var dk = empty_like(k);
        var dvOut = empty_like(v);
        var scale = (float)(1.0 / Math.Sqrt(d));
        unsafe
        {
            float* qp = Ptr(q), kp = Ptr(k), pp = Ptr(p), dop = Ptr(dout), vtp = Ptr(vt), dsp = Ptr(ds), dqp = Ptr(dq), dkp = Ptr(dk), dvp = Ptr(dvOut);
            ForRowBlocks(b * h, t, BandKernel.ScratchLength(w), (slice, from, to, scratch) =>
                BandKernel.ScoreGradients(dop + (long)slice * t * dv, vtp + (long)slice * dv * (t + BandKernel.Pad), pp + (long)slice * t * band,
                    kp + (long)slice * t * d, dsp + (long)slice * t * band, dqp + (long)slice * t * d, t, d, dv, w, scale, from, to, scratch));
            ForRowBlocks(b * h, t, 0, (slice, from, to, _) =>
            {
                BandKernel.MixTransposed(dsp + (long)slice * t * band, w, qp + (long)slice * t * d, d, dkp + (long)slice * t * d, t, scale, from, to);
                BandKernel.MixTransposed(pp + (long)slice * t * band, w, dop + (long)slice * t * dv, dv, dvp + (long)slice * t * dv, t, 1f, from, to);
            });
        }
        var result = new List<Tensor> { dq.MoveToOuterDisposeScope(), dk.MoveToOuterDisposeScope(), dvOut.MoveToOuterDisposeScope(), null! };
        return result;
    }

    /// <summary>[b, h, t, d] -> [b, h, d, t + Pad], contiguous, zero in the padding columns.</summary>
    static Tensor Transposed(Tensor x) =>
        nn.functional.pad(x.transpose(2, 3), new long[] { 0, BandKernel.Pad }).contiguous();

    /// <summary>The first float of a contiguous CPU tensor (its byte view starts at the data pointer, offset included).</summary>
    static unsafe float* Ptr(Tensor x) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(x.bytes));

    unsafe delegate void RowBlock(int slice, int from, int to, float* scratch);

    /// <summary>Runs body over every (slice, block of rows) in parallel, each worker with its own scratch buffer.</summary>
    static unsafe void ForRowBlocks(int slices, int t, int scratchLength, RowBlock body)
    {
        var blocks = (t + RowsPerTask - 1) / RowsPerTask;
        var scratch = Enumerable.Range(0, TorchThreadTeam.Threads)
            .Select(_ => (IntPtr)NativeMemory.AlignedAlloc((nuint)Math.Max(1, scratchLength) * sizeof(float), 32)).ToArray();
        try
        {
            TorchThreadTeam.For(slices * blocks, (item, worker) =>
            {
                int slice = item / blocks, from = item % blocks * RowsPerTask;
                body(slice, from, Math.Min(t, from + RowsPerTask), (float*)scratch[worker]);
            });
        }
        finally
        {
            foreach (var buffer in scratch) NativeMemory.AlignedFree((void*)buffer);
        }
    }
}
