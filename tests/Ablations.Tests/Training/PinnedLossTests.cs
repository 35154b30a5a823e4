using System.Globalization;
using System.Text.Json;
using Ablations.Config;
using Ablations.Experiments;
using Ablations.Training;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Ablations.Tests.Training;

/// <summary>
/// Pins the exact losses (every step's training loss and the validation losses, to the last bit) of short CPU
/// runs: tiny.yaml, the smoke scale of every variant of every experiment file, and a matrix of components and
/// trainer paths on tiny.yaml. A refactoring must leave them bit-identical; a change of numerics made on purpose
/// regenerates the file with ABLATIONS_WRITE_PINNED=1 (and says so in its commit).
/// Runs on one libtorch thread, alone: multi-threaded CPU reductions may sum in another order. Pins are kept per
/// CPU class (vendor and vector instruction set), as kernels differ between them in the last bits.
/// </summary>
[Collection(nameof(PinnedLosses))]
public class PinnedLossTests
{
    static readonly string GoldenFile = Repo.Path("tests", "Ablations.Tests", "Training", "pinned-losses.json");

    /// <summary>tiny.yaml cut to a few steps of small batches, so each case trains in about a second.</summary>
    static readonly string[] Short =
    {
        "train.steps=6", "train.batch_size=4", "train.context=64", "train.eval_every=3", "train.eval_batches=2",
        "train.log_every=2", "train.checkpoint_every=0", "train.warmup_steps=2", "data.max_bytes=300000", "train.final_eval_batches=4",
    };

    /// <summary>Components and trainer paths beyond what the experiment files exercise.</summary>
    static readonly (string Name, string[] Set)[] Matrix =
    {
        ("tiny", Array.Empty<string>()),
        ("mha", new[] { "model.attention.kind=mha" }),
        ("mqa-qknorm", new[] { "model.attention.kind=mqa", "model.attention.qk_norm=true" }),
        ("mla-qlora", new[] { "model.attention.kind=mla", "model.attention.q_lora_rank=32",
            "model.attention.kv_lora_rank=32", "model.attention.qk_nope_head_dim=16", "model.attention.qk_rope_head_dim=8", "model.attention.v_head_dim=16" }),
        ("window-5to1", new[] { "model.n_layers=6", "model.attention.window=8", "model.attention.local_global=5:1" }),
        ("window-band", new[] { "model.attention.window=8", "model.attention.layer_pattern=[local, global]" }),
        ("post", new[] { "model.norm.placement=post" }),
        ("olmo2-qknorm", new[] { "model.norm.placement=olmo2", "model.attention.qk_norm=true" }),
        ("sandwich-layernorm", new[] { "model.norm.placement=sandwich", "model.norm.kind=layernorm" }),
        ("gelu-learned", new[] { "model.feed_forward.kind=gelu", "model.feed_forward.hidden=256", "model.positions.kind=learned" }),
        ("geglu-nopos-untied", new[] { "model.feed_forward.kind=geglu", "model.positions.kind=none", "model.tie_embeddings=false", "model.embedding_scale=sqrt_d_model" }),
        ("moe-aux", new[] { "model.moe.n_experts=4", "model.moe.top_k=2", "model.moe.expert_hidden=64", "model.moe.dense_layers=1" }),
        ("moe-shared-auxfree-sigmoid", new[] { "model.moe.n_experts=4", "model.moe.top_k=2", "model.moe.n_shared_experts=1", "model.moe.expert_hidden=32",
            "model.moe.balancing=aux_free", "model.moe.scoring=sigmoid", "model.moe.routed_scaling=2.5" }),
        ("dropout-accum-zloss", new[] { "model.dropout=0.1", "train.grad_accum=2", "train.z_loss=1e-4" }),
        ("wsd-clipoff-decayall", new[] { "train.schedule=wsd", "train.grad_clip=0", "train.decay_all=true" }),
        ("resume", new[] { "train.checkpoint_every=2" }),
    };

    public static IEnumerable<object[]> Cases() => AllCases().Select(c => new object[] { c.Name });

    sealed record Case(string Name, Func<RunConfig> Config);

    static IEnumerable<Case> AllCases()
    {
        var tiny = Repo.Path("experiments", "tiny.yaml");
        foreach (var (name, set) in Matrix)
            yield return new Case("tiny/" + name, () => RunConfig.Load(tiny, Short.Concat(set)));
        var files = Directory.GetFiles(Repo.Path("experiments"), "*.yaml")
            .Where(f => File.ReadLines(f).Any(l => l.StartsWith("variants:"))).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var spec = ExperimentLoader.Load(file);
            // One run per variant: the first sweep point and seed at smoke scale.
            foreach (var run in spec.Expand("smoke").GroupBy(r => r.Variant).Select(g => g.First()))
                yield return new Case($"{spec.Name}/{run.Variant}", () => run.Config);
        }
    }

    /// <summary>step -> training loss, and step -> validation loss, as round-trip strings.</summary>
    sealed record Losses(SortedDictionary<int, string> Train, SortedDictionary<int, string> Val);

    static Losses Train(Case c)
    {
        var config = c.Config();
        var folder = TinyRuns.TempFolder("pinned-");
        try
        {
            var trainer = new Trainer(config, folder) { BaseDirectory = Repo.Root, Threads = 1 };
            if (c.Name == "tiny/resume")
            {
                // Stop after step 3 (a checkpoint at step 2), then resume: the losses must equal an uninterrupted run's.
                using var cancel = new CancellationTokenSource();
                var observer = new CancelAfter(3, cancel);
                Assert.Null(new Trainer(config, folder, observer) { BaseDirectory = Repo.Root, Threads = 1 }.Run(cancel: cancel.Token));
            }
            Assert.NotNull(trainer.Run());
            var rows = MetricsFile.Read(Path.Combine(folder, "metrics.csv"));
            string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            return new Losses(
                new SortedDictionary<int, string>(rows.ToDictionary(r => r.Step, r => R(r.TrainLoss))),
                new SortedDictionary<int, string>(rows.Where(r => r.ValLoss != null).ToDictionary(r => r.Step, r => R(r.ValLoss!.Value))));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }


    /// <summary>
    /// Pins per CPU class: libtorch and its BLAS pick kernels by instruction set (and vendor), so the same run
    /// rounds differently on an AVX2 and an AVX-512 machine, in the last bits. A class with its own pins must
    /// match them to the bit; on a class without them, a case must match another class's pins within
    /// <see cref="OtherClassTolerance"/>, which rounding differences stay far inside and a change of numerics does not.
    /// </summary>
    static readonly string Class = CpuClass();

    /// <summary>Nats: rounding between instruction sets moves these losses by about 1e-7; a change of numerics by 1e-3 and more.</summary>
    const double OtherClassTolerance = 1e-4;

    static string CpuClass()
    {
        if (!X86Base.IsSupported) return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var vendor = string.Concat(new[] { ebx, edx, ecx }.Select(r => System.Text.Encoding.ASCII.GetString(BitConverter.GetBytes(r))));
        var isa = Avx512F.IsSupported ? "avx512" : Avx2.IsSupported ? "avx2" : "sse";
        return $"{vendor}/{isa}";
    }

    /// <summary>CPU class to case to losses.</summary>
    static SortedDictionary<string, SortedDictionary<string, Losses>> ReadGolden() =>
        File.Exists(GoldenFile)
            ? JsonSerializer.Deserialize<SortedDictionary<string, SortedDictionary<string, Losses>>>(File.ReadAllText(GoldenFile))!
            : new SortedDictionary<string, SortedDictionary<string, Losses>>();

    static bool Close(Losses a, Losses b) =>
        Close(a.Train, b.Train) && Close(a.Val, b.Val);

    static bool Close(SortedDictionary<int, string> a, SortedDictionary<int, string> b) =>
        a.Keys.SequenceEqual(b.Keys) && a.Keys.All(k => Math.Abs(Parse(a[k]) - Parse(b[k])) <= OtherClassTolerance);

    static double Parse(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    [Fact]
    public void Every_case_is_pinned_and_every_pin_is_a_case()
    {
        if (Environment.GetEnvironmentVariable("ABLATIONS_WRITE_PINNED") == "1")
        {
            var threads = get_num_threads();
            try
            {
                // This class's pins are written anew; another class keeps a pin only where it still agrees within
                // the tolerance (a change of numerics made on purpose leaves it stale, and its machine then checks
                // against these pins until someone regenerates there).
                var all = new SortedDictionary<string, Losses>(AllCases().ToDictionary(c => c.Name, Train), StringComparer.Ordinal);
                var golden = ReadGolden();
                foreach (var other in golden.Keys.Where(k => k != Class).ToList())
                {
                    var kept = new SortedDictionary<string, Losses>(golden[other].Where(kv => all.TryGetValue(kv.Key, out var now) && Close(now, kv.Value))
                        .ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
                    if (kept.Count == 0) golden.Remove(other); else golden[other] = kept;
                }
                golden[Class] = all;
                File.WriteAllText(GoldenFile, JsonSerializer.Serialize(golden, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            }
            finally { set_num_threads(threads); }
        }
        var pins = ReadGolden();
        var cases = AllCases().Select(c => c.Name).ToHashSet();
        Assert.All(cases, c => Assert.True(pins.Values.Any(p => p.ContainsKey(c)), $"{c} is pinned for no CPU class; regenerate with ABLATIONS_WRITE_PINNED=1"));
        Assert.All(pins, p => Assert.Empty(p.Value.Keys.Where(k => !cases.Contains(k))));
        Assert.All(pins.Values.SelectMany(p => p.Values), l => Assert.True(l.Train.Count >= 3 && l.Val.Count >= 1));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Losses_are_bit_identical_to_the_pinned_ones(string name)
    {
        var pins = ReadGolden();
        var threads = get_num_threads();
        try
        {
            if (pins.TryGetValue(Class, out var own) && own.TryGetValue(name, out var expected))
            {
                var actual = Train(AllCases().Single(c => c.Name == name));
                Assert.Equal(expected.Train, actual.Train);
                Assert.Equal(expected.Val, actual.Val);
            }
            else
            {
                var other = pins.FirstOrDefault(p => p.Value.ContainsKey(name));
                Assert.True(other.Value != null, $"{name} is not pinned in {GoldenFile}; regenerate it with ABLATIONS_WRITE_PINNED=1");
                var actual = Train(AllCases().Single(c => c.Name == name));
                Assert.True(Close(other.Value[name], actual),
                    $"{name}: no pins for this CPU ({Class}), and the losses differ from {other.Key}'s by more than {OtherClassTolerance} nats: " +
                    $"pinned {string.Join(", ", other.Value[name].Train.Values)}, measured {string.Join(", ", actual.Train.Values)}");
            }
        }
        finally { set_num_threads(threads); }
    }
}

/// <summary>Pinned-loss runs set libtorch's process-wide thread count, so they run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(PinnedLosses), DisableParallelization = true)]
public sealed class PinnedLosses { }
