using Ablations.Config;
using Ablations.Experiments;
using Ablations.Reporting;

namespace Ablations.Tests.Experiments;

/// <summary>latency: decode speed and the cache held at a long context, measured once after training and reported.</summary>
public class LatencyTests
{
    readonly string _dir = TinyRuns.TempFolder("latency-");

    static string Windowed(string latency = "latency: { context: 256, tokens: 3, warmup: 1, variants: [global, local] }") =>
        TinyExperiment.Yaml
            .Replace("baseline: pre", "baseline: global")
            .Replace("""
                  - name: pre
                    set: { model.norm.placement: pre }
                  - name: post
                    set: { model.norm.placement: post }
                """, """
                  - name: global
                    set: {}
                  - name: local
                    set: { model.attention.window: 4, model.attention.layer_pattern: [local] }
                """)
            .Replace("scales:", latency + "\nscales:");

    [Fact]
    public void Decode_speed_and_the_cache_held_are_measured_once_after_training_and_reported()
    {
        var spec = ExperimentLoader.Load(TinyExperiment.Write(_dir, Windowed()));
        Assert.Equal(256, spec.Latency!.Context);
        var messages = new List<string>();
        var runner = new ExperimentRunner(spec, "smoke", Path.Combine(_dir, "results"), new RecordingObserver(messages));
        Assert.Empty(runner.RunAll(spec.Expand("smoke"), best => spec.ExpandCompletion("smoke", best)).Failed);

        var record = LatencyRecord.Read(runner.Folder)!;
        Assert.Equal(new[] { "global", "local" }, record.Results.Select(r => r.Variant));
        Assert.All(record.Results, r => Assert.True(r.TokensPerSecond > 0));
        var (global, local) = (record.Results[0], record.Results[1]);
        // 2 layers x (keys + values) x 2 kv heads x head_dim 8 x fp32: all 252 prompt positions, or the window of 4
        Assert.Equal(2L * 2 * 2 * 8 * 4 * 252, global.KvBytes);
        Assert.Equal(2L * 2 * 2 * 8 * 4 * 4, local.KvBytes);
        Assert.Single(messages, m => m.StartsWith("latency:"));

        // A rerun keeps the record (nothing to train, nothing to measure again); the report shows it.
        var written = File.ReadAllText(Path.Combine(runner.Folder, LatencyRecord.FileName));
        new ExperimentRunner(spec, "smoke", Path.Combine(_dir, "results"), new RecordingObserver(messages)).RunAll(spec.Expand("smoke"), best => spec.ExpandCompletion("smoke", best));
        Assert.Equal(written, File.ReadAllText(Path.Combine(runner.Folder, LatencyRecord.FileName)));
        Assert.Single(messages, m => m.StartsWith("latency:"));
        var report = File.ReadAllText(ReportWriter.Write(Path.Combine(_dir, "results"), "ablate report"));
        Assert.Contains("Decoding with the cache filled to 256 positions", report);
        Assert.Contains("| local |", report);
        Assert.Contains("| 0.016x |", report);                              // 4 of 252 positions held
    }

    [Fact]
    public void A_bad_latency_section_is_refused_at_load_with_its_key()
    {
        Assert.Contains("latency.variants[0]", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Windowed("latency: { context: 256, variants: [nope] }")))).Message);
        Assert.Contains("must leave room for a prompt", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Windowed("latency: { context: 8, tokens: 8 }")))).Message);
        Assert.Contains("is not a sweep point", Assert.Throws<ConfigException>(() => ExperimentLoader.Load(TinyExperiment.Write(_dir,
            Windowed("latency: { context: 256, at: lr=1.0e-2 }")))).Message);
    }
}
