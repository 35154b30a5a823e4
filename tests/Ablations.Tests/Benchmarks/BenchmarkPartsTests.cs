using Ablations.Benchmarks;
using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Tests.Benchmarks;

public class BenchmarkPartsTests
{
    [Fact]
    public void Benchmark_step_is_the_trainers_step_with_clipping_z_loss_and_the_router_update()
    {
        Assert.True(TrainingBenchmark.Train.GradClip > 0);
        Assert.True(TrainingBenchmark.Train.ZLoss > 0);
        var config = TinyModels.Moe(TinyModels.Base(), balancing: MoeBalancing.AuxFree);
        var model = new Decoder(config);
        using var bench = new TrainingBenchmark("moe", "aux-free", config, model, 2, 16);
        var bias = model.Routers.First().named_buffers().Single(b => b.name == "expert_bias").buffer;
        Assert.Equal(0f, bias.abs().sum().item<float>());
        bench.Step();
        Assert.True(bias.abs().sum().item<float>() > 0, "the auxiliary-loss-free bias moves after a benchmark step, as after a training step");
    }

    [Fact]
    public void Interleaved_timing_runs_subjects_in_turn_and_drops_warmup_rounds()
    {
        var order = new List<int>();
        var times = Interleaved.Time(new Action[] { () => order.Add(0), () => order.Add(1), () => order.Add(2) }, warmup: 2, rounds: 3);
        Assert.Equal(Enumerable.Repeat(new[] { 0, 1, 2 }, 5).SelectMany(x => x), order);
        Assert.All(times, t => Assert.Equal(3, t.Count));
    }

    [Fact]
    public void Paired_ratio_is_the_median_of_per_round_ratios()
    {
        // Rounds 2 and 3 are slow for both subjects alike: per-round ratios stay at 0.5, 0.5, 0.5, 4.
        var a = new[] { 1.0, 10, 20, 8 };
        var b = new[] { 2.0, 20, 40, 2 };
        Assert.Equal(0.5, Interleaved.PairedRatio(a, b), 12);
        Assert.Equal(2.5, Interleaved.Median(new[] { 4.0, 1, 3, 2 }), 12);
    }
}

/// <summary>
/// Tests that read the process-wide heap count or resident memory run alone, after the parallel ones, with finalizers settled:
/// another test allocating or freeing meanwhile would move the count.
/// </summary>
[CollectionDefinition(nameof(ProcessWideCounters), DisableParallelization = true)]
public sealed class ProcessWideCounters { }

[Collection(nameof(ProcessWideCounters))]
public class NativeHeapTests
{
    public NativeHeapTests()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();   // undisposed tensors of earlier tests are freed now, not mid-measurement
        GC.Collect();
    }

    [Fact]
    public void Training_benchmark_reports_tokens_per_second_from_its_median_and_measures_step_memory()
    {
        var config = TinyModels.Base();
        using var bench = new TrainingBenchmark("tiny", "tiny", config, new Decoder(config), 2, 16);
        bench.Step();
        var memory = bench.MeasureStepMemoryMb();
        Assert.True(memory > 0);
        var result = bench.Result(new[] { 10.0, 30.0, 20.0 }, gflops: 100, memory);
        Assert.Equal(20.0, result.MedianStepMs);
        Assert.Equal(2 * 16 / 0.020, result.TokensPerSecond, 6);
        Assert.Equal(16.0 * result.Parameters / 1048576 + memory, result.PeakMemoryMb, 6);
        Assert.Equal(result.ModelFlopsPerStep / 0.020 / 100e9, result.Mfu, 9);
    }

    [Fact]
    public void Memory_benchmark_samples_the_run_and_finds_no_tensor_left_behind()
    {
        var trace = MemoryBenchmark.Measure(TinyModels.Base(), batch: 2, context: 16, warmup: 3, steps: 10, sampleEvery: 5);
        Assert.Equal(new[] { 0, 5, 10 }, trace.Samples.Select(s => s.Step));
        Assert.Equal(trace.StartLiveTensors, trace.EndLiveTensors);
        Assert.True(trace.StartMb > 0);
        Assert.InRange(trace.Growth, -0.5, 0.5);
        Assert.Equal(Precision.Fp32, trace.Precision);
    }

    [Fact]
    public void Memory_benchmark_in_bf16_finds_no_tensor_left_behind_by_the_weight_copies_and_casts()
    {
        var trace = MemoryBenchmark.Measure(TinyModels.Base(), batch: 2, context: 16, warmup: 3, steps: 10, sampleEvery: 5, precision: Precision.Bf16);
        Assert.Equal(Precision.Bf16, trace.Precision);
        Assert.Equal(trace.StartLiveTensors, trace.EndLiveTensors);
        Assert.InRange(trace.Growth, -0.5, 0.5);
    }

    [Fact]
    public void The_bf16_memory_check_without_bf16_units_runs_the_dense_model_narrowed()
    {
        var (narrow, dense) = (BenchmarkSuite.Narrow, BenchmarkSuite.Dense);
        Assert.Equal((64, 2), (narrow.DModel, narrow.NLayers));
        Assert.Equal(dense with { DModel = narrow.DModel, NLayers = narrow.NLayers, FeedForward = narrow.FeedForward }, narrow);
        Assert.Equal(dense.Attention, narrow.Attention);   // the same attention and norms as the bench's dense model
    }

    [Fact]
    public void Heap_count_sees_a_tensor_allocated_and_freed()
    {
        Assert.Equal(OperatingSystem.IsLinux(), NativeHeap.Available);   // glibc 2.33+ on the Linux machines we run on
        if (!NativeHeap.Available) return;
        const long size = 64L << 20;
        // The count is process-wide: a background thread (the JIT's tiered recompilation, a finalizer) can allocate
        // between two reads. One of a few measurements taken back to back must see exactly the tensor.
        var attempts = new List<(long Grew, long Freed)>();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var before = NativeHeap.InUseBytes();
            var t = zeros(size / 4);
            var held = NativeHeap.InUseBytes();
            t.Dispose();
            var after = NativeHeap.InUseBytes();
            attempts.Add((held - before, held - after));
        }
        static bool Tensor(long bytes) => bytes >= size && bytes <= size + (4L << 20);
        Assert.True(attempts.Any(a => Tensor(a.Grew) && Tensor(a.Freed)), string.Join("; ", attempts));
    }
}

public class BenchmarkMeasurementTests
{
    [Fact]
    public void Attention_benchmark_times_every_path_on_a_small_model()
    {
        var config = TinyModels.Base(AttentionKind.Mha);                 // 4 heads of 8
        var timing = AttentionBenchmark.Measure(config, context: 96, window: 16, warmup: 1, rounds: 2);
        Assert.All(new[] { timing.WindowCoreMs, timing.ChunkedCoreMs, timing.GlobalCoreMs, timing.WindowLayerMs, timing.GlobalLayerMs },
            ms => Assert.True(ms > 0 && double.IsFinite(ms)));
    }

    [Fact]
    public void Decode_benchmark_reports_rates_for_gqa_and_both_mla_paths()
    {
        var timing = DecodeBenchmark.Measure(TinyModels.Base(AttentionKind.Gqa), TinyModels.Base(AttentionKind.Mla), context: 40, warmup: 2, tokens: 4);
        Assert.All(new[] { timing.GqaTokensPerSecond, timing.MlaTokensPerSecond, timing.MlaRebuildTokensPerSecond },
            rate => Assert.True(rate > 0 && double.IsFinite(rate)));
    }
}
