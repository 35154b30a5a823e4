using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;
using Ablations.Model.FeedForward;
using Ablations.Model.Attention;

namespace Ablations.Benchmarks;

/// <summary>A target of the speed issue: a measured ratio against its bound, or (Value and Met null) one not measured, the note saying why.</summary>
public sealed record BenchRatio(string Name, double? Value, string Target, bool? Met, string Note);

/// <summary>Everything one `ablate bench` measured; <paramref name="Bf16Memory"/> is the resident-memory check in bf16.</summary>
public sealed record BenchReport(double Gflops, double Bf16Gflops, IReadOnlyList<BenchResult> Results, IReadOnlyList<BenchRatio> Ratios,
    AttentionTiming Attention, DecodeTiming Decode, MemoryTrace? Memory, MemoryTrace? Bf16Memory = null);

/// <summary>
/// The fixed benchmark matrix: dense MHA and its hand-written reference, GQA, MLA, MoE top-2 of 8 with and
/// without a shared expert (timed in turn, one step each per round), a 5:1 sliding-window model against a
/// global one at long context (also in turn), attention alone with a window, KV-cache decoding, and resident
/// memory over many steps. Ratios are medians of per-round ratios.
/// </summary>
public sealed class BenchmarkSuite
{
    public int Warmup { get; init; } = 3;
    public int Steps { get; init; } = 10;
    public int MemorySteps { get; init; } = 500;

    /// <summary>
    /// Whether to time the bf16 rows; null: where the CPU multiplies bf16 in hardware (<see cref="Bf16Support"/>).
    /// Without amx_bf16 or avx512_bf16 libtorch multiplies bf16 matrices in scalar code, about 100 times slower
    /// than fp32: the rows would take hours and their ratios would only measure that fallback.
    /// </summary>
    public bool? Bf16 { get; init; }

    public Action<string> Log { get; init; } = _ => { };

    public static ModelConfig Dense => new()
    {
        VocabSize = 256, DModel = 256, NLayers = 4, ContextLength = 2048,
        Attention = new GroupedAttentionConfig { Kind = AttentionKind.Mha, NHeads = 8 },
        FeedForward = new GatedFeedForwardConfig { Kind = FeedForwardKind.Swiglu, Hidden = 688 },
    };

    public static ModelConfig Gqa => Dense with { Attention = new GroupedAttentionConfig { Kind = AttentionKind.Gqa, NHeads = 8, NKvHeads = 2 } };

    public static ModelConfig Mla => Dense with
    {
        Attention = new LatentAttentionConfig { NHeads = 8, QLoraRank = 0, KvLoraRank = 64, QkNopeHeadDim = 32, QkRopeHeadDim = 16, VHeadDim = 32 },
    };

    public BenchReport Run()
    {
        var gflops = MatmulRate.Peak(CPU);
        Log($"fp32 matmul (best of 512, 1024, 2048): {gflops:F1} GFLOP/s");
        var (fastBf16, bf16Why) = Bf16Support.Of(DeviceType.CPU);
        var timeBf16 = Bf16 ?? fastBf16;
        // Without bf16 rows the bf16 rate is only reported, and in scalar code n = 2048 alone takes minutes.
        var bf16Gflops = timeBf16 ? MatmulRate.Peak(CPU, ScalarType.BFloat16) : MatmulRate.Gflops(512, CPU, ScalarType.BFloat16);
        Log($"bf16 matmul ({(timeBf16 ? "best of 512, 1024, 2048" : "512 only")}): {bf16Gflops:F1} GFLOP/s");
        var peaks = (gflops, bf16Gflops);
        var dense = Dense;

        var shortContext = new List<TrainingBenchmark>
        {
            new("dense-mha", "Pre-Norm MHA, d 256, 4 layers, context 256", dense, new Decoder(dense), 8, 256),
            new("reference-gpt", "hand-written Pre-Norm GPT of the same shape (fused QKV, no configuration layer)", dense,
                new ReferenceGpt(256, 256, 4, 8, 688, 2048), 8, 256),
            new("gqa", "GQA 8 query / 2 key-value heads", Gqa, new Decoder(Gqa), 8, 256),
            new("mla", "MLA, latent 64, RoPE 16, heads 32+16 / 32", Mla, new Decoder(Mla), 8, 256),
            Subject("moe-top2", "8 experts of 344, top-2 (active = dense)", dense with { Moe = new MoeConfig { NExperts = 8, TopK = 2, ExpertHidden = 344 } }, 8, 256),
            Subject("moe-top2-shared", "8 experts of 229, top-2 + 1 shared (active ~ dense)",
                dense with { Moe = new MoeConfig { NExperts = 8, TopK = 2, NSharedExperts = 1, ExpertHidden = 229 } }, 8, 256),
        };
        var (results, times) = TimeInTurn(shortContext, peaks);
        var skippedWhy = Bf16 == false ? "--bf16 off" : $"{bf16Why}, whose bf16 products run in scalar code; --bf16 on times them anyway";
        if (!timeBf16) Log($"bf16 rows skipped: {skippedWhy}");
        var wide = Wide;
        List<BenchResult> precisionResults = new();
        List<double>[] precisionTimes = Array.Empty<List<double>>();
        if (timeBf16)
        {
            var precisions = new List<TrainingBenchmark>
            {
                Subject("dense-fp32", "the dense shape in fp32 (precision pair)", dense, 8, 256),
                Subject("dense-bf16", "the dense shape in bf16 mixed precision", dense, 8, 256, Precision.Bf16),
                Subject("d512-fp32", "Pre-Norm MHA, d 512, 4 layers, context 256, fp32", wide, 8, 256),
                Subject("d512-bf16", "the d 512 shape in bf16 mixed precision", wide, 8, 256, Precision.Bf16),
            };
            (precisionResults, precisionTimes) = TimeInTurn(precisions, peaks);
            results.AddRange(precisionResults);
        }
        var global6 = dense with { NLayers = 6 };
        var window5to1 = global6 with { Attention = global6.Attention with { Window = 256, LocalGlobal = "5:1" } };
        var longContext = new List<TrainingBenchmark>
        {
            Subject("global-2048", "6 global layers at context 2048", global6, 1, 2048),
            Subject("window-5to1-2048", "5 local (window 256) : 1 global at context 2048", window5to1, 1, 2048),
        };
        if (timeBf16)
        {
            longContext.Add(Subject("global-2048-bf16", "6 global layers at context 2048, bf16", global6, 1, 2048, Precision.Bf16));
            longContext.Add(Subject("window-5to1-2048-bf16", "5 local (window 256) : 1 global at context 2048, bf16 (band kernel in fp32)",
                window5to1, 1, 2048, Precision.Bf16));
        }
        var (longResults, longTimes) = TimeInTurn(longContext, peaks);
        results.AddRange(longResults);

        var attention = AttentionBenchmark.Measure(dense, 2048, 256, Warmup, Steps);
        Log($"attention fwd+bwd at 2048, window 256: operation {attention.WindowCoreMs:F1} ms (chunked products {attention.ChunkedCoreMs:F1} ms) " +
            $"vs global {attention.GlobalCoreMs:F1} ms; whole layer {attention.WindowLayerMs:F1} ms vs {attention.GlobalLayerMs:F1} ms");
        var decode = DecodeBenchmark.Measure(Gqa, Mla, 2048, 4, Math.Max(16, 4 * Steps));
        Log($"decode at 2048: GQA {decode.GqaTokensPerSecond:F0}, MLA absorbed {decode.MlaTokensPerSecond:F0}, MLA rebuilding keys/values {decode.MlaRebuildTokensPerSecond:F0} tokens/s");
        MemoryTrace? memory = null, bf16Memory = null;
        var bf16MemoryShape = "";
        if (MemorySteps > 0)
        {
            memory = MemoryBenchmark.Measure(dense, 8, 256, 20, MemorySteps);
            LogMemory(memory, "");
            // bf16 keeps per-step weight copies and casts: the same check in bf16, on the dense shape where bf16 is
            // timed, else on a narrow one that the scalar fallback steps through in minutes, so its leaks still show.
            var (shape, context) = timeBf16 ? (dense, 256) : (Narrow, 64);
            bf16Memory = MemoryBenchmark.Measure(shape, 8, context, 20, MemorySteps, precision: Precision.Bf16);
            bf16MemoryShape = timeBf16 ? "" : $", narrow shape (d {shape.DModel}, {shape.NLayers} layers, 8 x {context})";
            LogMemory(bf16Memory, bf16MemoryShape);
        }

        double Paired(List<double>[] t, int a, int b) => Interleaved.PairedRatio(t[a], t[b]);
        BenchRatio Bf16Ratio(string name, Func<double> value, Func<double, bool> met, string target, Func<string> note) =>
            timeBf16 ? Ratio(name, value(), met, target, note()) : new(name, null, target, null, "not timed: " + skippedWhy);
        var ratios = new List<BenchRatio>
        {
            Ratio("dense / hand-written reference throughput", 1 / Paired(times, 0, 1), v => v >= 0.95, ">= 0.95",
                $"{results[0].MedianStepMs:F0} vs {results[1].MedianStepMs:F0} ms per step"),
            Ratio("window attention speed-up over global (operation fwd+bwd, T 2048, W 256)", attention.GlobalCoreMs / attention.WindowCoreMs, v => v >= 3, ">= 3",
                $"{attention.WindowCoreMs:F1} vs {attention.GlobalCoreMs:F1} ms; whole layer {attention.GlobalLayerMs / attention.WindowLayerMs:F2}x; " +
                $"chunked products instead of the kernel {attention.GlobalCoreMs / attention.ChunkedCoreMs:F2}x"),
            Ratio("5:1 model step / global model step (T 2048)", Paired(longTimes, 1, 0), v => v <= 0.7, "<= 0.7",
                $"{longResults[1].MedianStepMs:F0} vs {longResults[0].MedianStepMs:F0} ms"),
            Bf16Ratio("bf16 / fp32 training tokens per second, dense d 256", () => 1 / Paired(precisionTimes, 1, 0), v => v >= 1.6, ">= 1.6",
                () => $"{precisionResults[1].MedianStepMs:F0} vs {precisionResults[0].MedianStepMs:F0} ms per step"),
            Bf16Ratio("bf16 / fp32 training tokens per second, d 512, 4 layers, context 256, batch 8", () => 1 / Paired(precisionTimes, 3, 2), v => v >= 2.0, ">= 2.0",
                () => $"{precisionResults[3].MedianStepMs:F0} vs {precisionResults[2].MedianStepMs:F0} ms per step"),
            Bf16Ratio("5:1 model step / global model step in bf16 (T 2048)", () => Paired(longTimes, 3, 2), v => v <= 0.75, "<= 0.75",
                () => $"{longResults[3].MedianStepMs:F0} vs {longResults[2].MedianStepMs:F0} ms; bf16 / fp32 tokens/s: global {1 / Paired(longTimes, 2, 0):F2}, 5:1 {1 / Paired(longTimes, 3, 1):F2}"),
            Ratio("MoE top-2 + shared step / dense step", Paired(times, 5, 0), v => v <= 1.5, "<= 1.5",
                $"without shared expert: {Paired(times, 4, 0):F2}"),
            Ratio("MLA step / GQA step", Paired(times, 3, 2), v => v <= 1.2, "<= 1.2", $"{results[3].MedianStepMs:F0} vs {results[2].MedianStepMs:F0} ms"),
            Ratio("MLA decode, absorbed / rebuilding keys and values (context 2048)", decode.MlaTokensPerSecond / decode.MlaRebuildTokensPerSecond, v => v > 1, "> 1",
                $"{decode.MlaTokensPerSecond:F0} vs {decode.MlaRebuildTokensPerSecond:F0} tokens/s; GQA {decode.GqaTokensPerSecond:F0}"),
        };
        foreach (var (trace, label) in new[] { (memory, ""), (bf16Memory, ", bf16" + bf16MemoryShape) })
            if (trace is not null)
                ratios.Add(Ratio($"resident memory growth over {trace.Steps} steps{label}", trace.Growth,
                    v => Math.Abs(v) <= 0.02 && trace.EndLiveTensors == trace.StartLiveTensors, "<= 2%, no tensor leak",
                    $"{trace.StartMb:F0} -> {trace.EndMb:F0} MB, live tensors {trace.StartLiveTensors} -> {trace.EndLiveTensors}"));
        return new BenchReport(gflops, bf16Gflops, results, ratios, attention, decode, memory, bf16Memory);
    }

    void LogMemory(MemoryTrace m, string label) =>
        Log($"resident memory over {m.Steps} steps in {SnakeCase.Of(m.Precision.ToString())}{label}: {m.StartMb:F0} MB -> {m.EndMb:F0} MB (max {m.MaxMb:F0}); " +
            $"live tensors {m.StartLiveTensors} -> {m.EndLiveTensors}");

    static BenchRatio Ratio(string name, double value, Func<double, bool> met, string target, string note) =>
        new(name, value, target, met(value), note);

    /// <summary>The bf16 memory check's shape where bf16 is not timed: the dense model at d_model 64 and 2 layers.</summary>
    public static ModelConfig Narrow => Dense with
    {
        DModel = 64, NLayers = 2, FeedForward = new GatedFeedForwardConfig { Kind = FeedForwardKind.Swiglu, Hidden = 172 },
    };

    /// <summary>The wider dense shape of the precision pair: d_model 512, 4 layers, 8 heads.</summary>
    public static ModelConfig Wide => Dense with { DModel = 512, FeedForward = new GatedFeedForwardConfig { Kind = FeedForwardKind.Swiglu, Hidden = 1376 } };

    static TrainingBenchmark Subject(string name, string description, ModelConfig config, int batch, int context, Precision precision = Precision.Fp32) =>
        new(name, description, config, new Decoder(config), batch, context, precision);

    /// <summary>Steps every subject once per round, in turn, and disposes them afterwards; MFU against the peak of each subject's precision.</summary>
    (List<BenchResult> Results, List<double>[] Times) TimeInTurn(List<TrainingBenchmark> subjects, (double Fp32, double Bf16) peaks)
    {
        try
        {
            var times = Interleaved.Time(subjects.Select(s => (Action)(() => s.Step())).ToList(), Warmup, Steps);
            var results = subjects.Select((s, i) => s.Result(times[i], s.Precision == Precision.Bf16 ? peaks.Bf16 : peaks.Fp32, s.MeasureStepMemoryMb())).ToList();
            foreach (var r in results) Log($"{r.Name}: {r.MedianStepMs:F1} ms/step, {r.TokensPerSecond:F0} tokens/s, MFU {r.Mfu:P1}");
            return (results, times);
        }
        finally
        {
            foreach (var s in subjects) s.Dispose();
        }
    }
}
