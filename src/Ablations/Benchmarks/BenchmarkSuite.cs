using System.Diagnostics;
using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>A target of the speed issue: a measured ratio against its bound.</summary>
public sealed record BenchRatio(string Name, double Value, string Target, bool Met, string Note);

/// <summary>
/// The fixed benchmark matrix: dense MHA and its hand-written reference, GQA, MLA, MoE top-2 of 8 with and
/// without a shared expert, a 5:1 sliding-window model against a global one at long context, attention alone
/// with a window, KV-cache decoding, and resident memory over many steps.
/// </summary>
public sealed class BenchmarkSuite
{
    public int Warmup { get; init; } = 3;
    public int Steps { get; init; } = 10;
    public int MemorySteps { get; init; } = 500;
    public Action<string> Log { get; init; } = _ => { };

    public static ModelConfig Dense => new()
    {
        VocabSize = 256, DModel = 256, NLayers = 4, ContextLength = 2048,
        Attention = new AttentionConfig { Kind = AttentionKind.Mha, NHeads = 8 },
        FeedForward = new FeedForwardConfig { Kind = FeedForwardKind.Swiglu, Hidden = 688 },
    };

    public (List<BenchResult> Results, List<BenchRatio> Ratios, double Gflops) Run()
    {
        var gflops = MatmulRate.Gflops(1024, CPU);
        Log($"fp32 matmul: {gflops:F1} GFLOP/s");
        var results = new List<BenchResult>();
        BenchResult Train(string name, string description, ModelConfig config, int batch, int context, Func<nn.Module<Tensor, Tensor>>? build = null)
        {
            var r = TrainingBenchmark.Measure(name, description, config, build ?? (() => new Decoder(config)), batch, context, Warmup, Steps, gflops);
            Log($"{name}: {r.MedianStepMs:F1} ms/step, {r.TokensPerSecond:F0} tokens/s, MFU {r.Mfu:P1}");
            results.Add(r);
            return r;
        }

        var dense = Dense;
        var d = Train("dense-mha", "Pre-Norm MHA, d 256, 4 layers, context 256", dense, 8, 256);
        var reference = Train("reference-gpt", "hand-written Pre-Norm GPT of the same shape (fused QKV, no configuration layer)", dense, 8, 256,
            () => new ReferenceGpt(256, 256, 4, 8, 688, 2048));
        var gqa = Train("gqa", "GQA 8 query / 2 key-value heads", dense with { Attention = dense.Attention with { Kind = AttentionKind.Gqa, NKvHeads = 2 } }, 8, 256);
        var mla = Train("mla", "MLA, latent 64, RoPE 16, heads 32+16 / 32", dense with
        {
            Attention = new AttentionConfig { Kind = AttentionKind.Mla, NHeads = 8, QLoraRank = 0, KvLoraRank = 64, QkNopeHeadDim = 32, QkRopeHeadDim = 16, VHeadDim = 32 },
        }, 8, 256);
        var moe = Train("moe-top2", "8 experts of 344, top-2 (active = dense)", dense with
        {
            Moe = new MoeConfig { NExperts = 8, TopK = 2, ExpertHidden = 344 },
        }, 8, 256);
        var moeShared = Train("moe-top2-shared", "8 experts of 229, top-2 + 1 shared (active ~ dense)", dense with
        {
            Moe = new MoeConfig { NExperts = 8, TopK = 2, NSharedExperts = 1, ExpertHidden = 229 },
        }, 8, 256);
        var global6 = dense with { NLayers = 6 };
        var globalLong = Train("global-2048", "6 global layers at context 2048", global6, 1, 2048);
        var windowLong = Train("window-5to1-2048", "5 local (window 256) : 1 global at context 2048", global6 with
        {
            Attention = global6.Attention with { Window = 256, LocalGlobal = "5:1" },
        }, 1, 2048);

        var (windowMs, globalMs) = AttentionOnly(2048, 256);
        var (gqaDecode, mlaDecode) = Decode(gqaConfig: dense with { Attention = dense.Attention with { Kind = AttentionKind.Gqa, NKvHeads = 2 } },
            mlaConfig: dense with { Attention = new AttentionConfig { Kind = AttentionKind.Mla, NHeads = 8, QLoraRank = 0, KvLoraRank = 64, QkNopeHeadDim = 32, QkRopeHeadDim = 16, VHeadDim = 32 } },
            context: 2048, newTokens: 64);
        var (memStart, memEnd) = MemoryOverSteps(dense, 8, 256, MemorySteps);

        var ratios = new List<BenchRatio>
        {
            new("dense / hand-written reference throughput", d.TokensPerSecond / reference.TokensPerSecond, ">= 0.95", d.TokensPerSecond / reference.TokensPerSecond >= 0.95, ""),
            new("window attention speed-up over global (fwd+bwd, T 2048, W 256)", globalMs / windowMs, ">= 3", globalMs / windowMs >= 3,
                $"{windowMs:F1} ms windowed, {globalMs:F1} ms global"),
            new("5:1 model step / global model step (T 2048)", windowLong.MedianStepMs / globalLong.MedianStepMs, "<= 0.7", windowLong.MedianStepMs / globalLong.MedianStepMs <= 0.7, ""),
            new("MoE top-2 + shared step / dense step", moeShared.MedianStepMs / d.MedianStepMs, "<= 1.5", moeShared.MedianStepMs / d.MedianStepMs <= 1.5,
                $"without shared expert: {moe.MedianStepMs / d.MedianStepMs:F2}"),
            new("MLA step / GQA step", mla.MedianStepMs / gqa.MedianStepMs, "<= 1.2", mla.MedianStepMs / gqa.MedianStepMs <= 1.2, ""),
            new("MLA decode tokens/s / GQA decode tokens/s (context 2048)", mlaDecode / gqaDecode, "absorbed", false,
                $"{mlaDecode:F0} vs {gqaDecode:F0} tokens/s; MLA decoding up-projects the cached latent every step (not absorbed yet)"),
            new($"resident memory growth over {MemorySteps} steps", (memEnd - memStart) / memStart, "<= 2%", Math.Abs(memEnd - memStart) / memStart <= 0.02,
                $"{memStart:F0} MB -> {memEnd:F0} MB"),
        };
        return (results, ratios, gflops);
    }

    /// <summary>Median milliseconds of one attention forward + backward, windowed then global.</summary>
    (double Window, double Global) AttentionOnly(int context, int window)
    {
        var config = Dense with { NLayers = 1 };
        double Time(ModelConfig c)
        {
            using var attention = Model.Attention.AttentionFactory.Create(c, LayerPlan.From(c).Layers[0]);
            using var x = randn(1, context, c.DModel, requires_grad: true);
            var times = new List<double>();
            for (int i = 0; i < Warmup + Steps; i++)
            {
                var watch = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    attention.Forward(x, new ForwardContext(0, null)).sum().backward();
                }
                if (i >= Warmup) times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return times[times.Count / 2];
        }
        var windowed = Time(config with { Attention = config.Attention with { Window = window, LayerPattern = new[] { LayerAttentionSpan.Local } } });
        var global = Time(config);
        Log($"attention fwd+bwd at {context}: window {window} {windowed:F1} ms, global {global:F1} ms");
        return (windowed, global);
    }

    /// <summary>Decode tokens per second with the KV cache after a prompt that fills the context to near its end.</summary>
    (double Gqa, double Mla) Decode(ModelConfig gqaConfig, ModelConfig mlaConfig, int context, int newTokens)
    {
        double Rate(ModelConfig c)
        {
            using var model = new Decoder(c);
            model.eval();
            using var noGrad = no_grad();
            using var cache = model.NewCache();
            using var prompt = randint(0, c.VocabSize, new long[] { 1, context - newTokens });
            model.Forward(prompt, cache).Logits.Dispose();
            using var token = zeros(new long[] { 1, 1 }, ScalarType.Int64);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < newTokens; i++)
                using (NewDisposeScope()) model.Forward(token, cache);
            return newTokens / watch.Elapsed.TotalSeconds;
        }
        var gqa = Rate(gqaConfig);
        var mla = Rate(mlaConfig);
        Log($"decode at {context}: GQA {gqa:F0} tokens/s, MLA {mla:F0} tokens/s");
        return (gqa, mla);
    }

    (double Start, double End) MemoryOverSteps(ModelConfig config, int batch, int context, int steps)
    {
        using var model = new Decoder(config);
        using var optimizer = optim.AdamW(model.parameters(), 1e-4);
        using var tokens = randint(0, config.VocabSize, new long[] { batch, context + 1 });
        double start = 0;
        for (int s = 0; s < steps + 20; s++)
        {
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var logits = model.call(tokens.narrow(1, 0, context));
                nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), tokens.narrow(1, 1, context).reshape(-1)).backward();
                optimizer.step();
            }
            if (s == 19) start = TrainingBenchmark.ResidentMb();   // after warm-up: allocator pools settled
        }
        var end = TrainingBenchmark.ResidentMb();
        Log($"resident memory over {steps} steps: {start:F0} MB -> {end:F0} MB");
        return (start, end);
    }
}
