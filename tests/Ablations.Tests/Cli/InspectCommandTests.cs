using System.Text.Json;

namespace Ablations.Tests.Cli;

public class InspectCommandTests
{
    [Fact]
    public void Inspect_prints_json_with_counts_and_cache()
    {
        var r = Repo.Ablate("inspect", Repo.Path("experiments", "presets", "llama3-8b.yaml"), "--context", "8192", "--json");
        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        var root = json.RootElement;
        // Llama 3 8B: 32 layers x 8 kv heads x 128 x 2 (k and v) x 2 bytes = 128 KiB per token
        Assert.Equal(131072, root.GetProperty("kv_cache_bytes_per_token").GetInt64());
        Assert.Equal(131072L * 8192, root.GetProperty("kv_cache_bytes_at_context").GetInt64());
        Assert.InRange(root.GetProperty("parameters_total").GetInt64(), 8_020_000_000, 8_040_000_000);
    }

    [Fact]
    public void Inspect_text_compares_with_the_published_count()
    {
        var r = Repo.Ablate("inspect", Repo.Path("experiments", "presets", "deepseek-v3.yaml"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("published total 671.00B: ours is 671.03B", r.Stdout);
        Assert.Contains("routed experts", r.Stdout);
    }

    [Fact]
    public void An_experiment_file_is_inspected_variant_by_variant_at_its_scale()
    {
        var r = Repo.Ablate("inspect", Repo.Path("experiments", "attention.yaml"), "--context", "4096", "--json");
        Assert.Equal(0, r.ExitCode);
        using var json = JsonDocument.Parse(r.Stdout);
        var rows = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("variant").GetString()!, e => e.GetProperty("inspection"));
        Assert.Equal(new[] { "mha", "gqa-3", "gqa-2", "mqa", "mla", "mla-narrow" }, rows.Keys);
        // small scale: 4 layers of 6 heads x 8; keys and values in bf16: 4 x 2 x heads x 8 x 2 bytes
        Assert.Equal(768, rows["mha"].GetProperty("kv_cache_bytes_per_token").GetInt64());
        Assert.Equal(256, rows["gqa-2"].GetProperty("kv_cache_bytes_per_token").GetInt64());
        Assert.Equal(128, rows["mqa"].GetProperty("kv_cache_bytes_per_token").GetInt64());
        // every variant is matched to MHA's parameters within 1% (match: in the file)
        var mha = rows["mha"].GetProperty("parameters_total").GetDouble();
        Assert.All(rows.Values, v => Assert.InRange(v.GetProperty("parameters_total").GetDouble() / mha, 0.99, 1.01));

        var text = Repo.Ablate("inspect", Repo.Path("experiments", "sliding-window.yaml"), "--scale", "full", "--context", "4096");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("sliding-window at scale full: 4 models", text.Stdout);
        Assert.Contains("local-5to1", text.Stdout);
    }

    [Fact]
    public void Bad_config_exits_2_with_one_clear_message_and_no_stack_trace()
    {
        var file = System.IO.Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "model:\n  attention: { kind: gqa, n_heads: 8, n_kv_heads: 3 }\n");
        try
        {
            var r = Repo.Ablate("inspect", file);
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith($"error: {file}:2:", r.Stderr);
            Assert.Contains("model.attention.n_kv_heads", r.Stderr);
            Assert.DoesNotContain("   at ", r.Stderr);
            Assert.Equal("", r.Stdout);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Bad_set_override_exits_2()
    {
        var r = Repo.Ablate("inspect", Repo.Path("experiments", "presets", "llama3-8b.yaml"), "--set", "model.attention.n_kv_heads=5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--set model.attention.n_kv_heads=5", r.Stderr);
    }

    [Fact]
    public void Granularity_counts_a_matformer_sub_model_and_is_refused_elsewhere()
    {
        var tiny = Repo.Path("experiments", "tiny.yaml");
        string[] matformer = { "--set", "model.feed_forward.kind=matformer", "--set", "model.feed_forward.granularities=[0.5, 1.0]", "--json" };
        var full = Repo.Ablate(new[] { "inspect", tiny }.Concat(matformer).ToArray());
        var half = Repo.Ablate(new[] { "inspect", tiny }.Concat(matformer).Concat(new[] { "--granularity", "0.5" }).ToArray());
        Assert.Equal(0, half.ExitCode);
        long Total(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("parameters_total").GetInt64();
        Assert.Equal(4 * 3 * 128 * 172, Total(full.Stdout) - Total(half.Stdout));   // 4 layers of 3 x d x (344 - 172)

        var notNested = Repo.Ablate("inspect", tiny, "--granularity", "0.5");
        Assert.Equal(2, notNested.ExitCode);
        Assert.Contains("--granularity: applies to models with feed_forward.kind: matformer", notNested.Stderr);
        var bad = Repo.Ablate(new[] { "inspect", tiny }.Concat(matformer).Concat(new[] { "--granularity", "0.3" }).ToArray());
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("allowed: 0.5, 1", bad.Stderr);
    }

    [Fact]
    public void Unknown_option_exits_2()
    {
        var r = Repo.Ablate("inspect", "--no-such-option");
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Doctor_reports_versions_threads_speed_and_the_native_fix()
    {
        var r = Repo.Ablate("doctor");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("libtorch        2.10", r.Stdout);
        Assert.Contains("GFLOP/s", r.Stdout);
        Assert.Matches("native fix      (applied|not needed)", r.Stdout);
    }
}
