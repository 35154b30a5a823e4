using Ablations.Config;
using Ablations.Training;
using Ablations.Model;

using Ablations.Model.Attention;

namespace Ablations.Tests.Config;

public class ConfigLoaderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("ablations-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(string yaml, string name = "model.yaml")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    ConfigException Fails(string yaml, params string[] overrides)
    {
        var path = Write(yaml);
        var e = Assert.Throws<ConfigException>(() => RunConfig.Load(path, overrides));
        Assert.DoesNotContain("   at ", e.Message);
        return e;
    }

    const string Valid = """
        model:
          d_model: 64
          n_layers: 6
          attention:
            kind: gqa
            n_heads: 8
            n_kv_heads: 2
          feed_forward: { kind: swiglu, hidden: 96 }
        """;

    [Fact]
    public void Valid_file_binds_every_section()
    {
        var config = RunConfig.Load(Write(Valid));
        Assert.Equal(64, config.Model.DModel);
        Assert.Equal(AttentionKind.Gqa, config.Model.Attention.Kind);
        Assert.Equal(2, ((GroupedAttentionConfig)config.Model.Attention).ResolvedNKvHeads);
        Assert.Equal(FeedForwardKind.Swiglu, config.Model.FeedForward.Kind);
        Assert.Equal(96, config.Model.FeedForward.Hidden);
        Assert.Equal(NormPlacement.Pre, config.Model.Norm.Placement);
    }

    [Fact]
    public void Yaml_syntax_error_names_file_line_and_column()
    {
        var e = Fails("model:\n  d_model: 64\n  attention: [gqa\n  n_layers: 2\n");
        Assert.EndsWith("model.yaml", e.File);
        Assert.NotNull(e.Line);
        Assert.NotNull(e.Column);
        Assert.Contains("YAML syntax error", e.Message);
        Assert.StartsWith($"{e.File}:{e.Line}:{e.Column}:", e.Message);
    }

    [Fact]
    public void Unknown_key_names_the_key_its_line_and_the_allowed_keys()
    {
        var e = Fails("model:\n  d_model: 64\n  n_layer: 2\n");
        Assert.Equal("model.n_layer", e.Key);
        Assert.Equal(3, e.Line);
        Assert.Contains("unknown key 'n_layer'", e.Message);
        Assert.Contains("n_layers", e.Message);
    }

    [Fact]
    public void Unknown_top_level_section_is_an_error()
    {
        var e = Fails("modle:\n  d_model: 64\n");
        Assert.Equal("modle", e.Key);
        Assert.Contains("model", e.Message);
    }

    [Fact]
    public void Wrong_type_says_what_was_expected()
    {
        var e = Fails("model:\n  d_model: wide\n");
        Assert.Equal("model.d_model", e.Key);
        Assert.Contains("expected an integer, got 'wide'", e.Message);
    }

    [Fact]
    public void Unknown_enum_value_lists_the_allowed_values()
    {
        var e = Fails("model:\n  attention:\n    kind: gqq\n");
        Assert.Equal("model.attention.kind", e.Key);
        Assert.Contains("mha | gqa | mqa | mla", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Heads_not_divisible_by_kv_heads_names_the_key_and_the_divisors()
    {
        var e = Fails(Valid.Replace("n_kv_heads: 2", "n_kv_heads: 3"));
        Assert.Equal("model.attention.n_kv_heads", e.Key);
        Assert.Equal(7, e.Line);
        Assert.Contains("not divisible", e.Message);
        Assert.Contains("1, 2, 4, 8", e.Message);
    }

    [Fact]
    public void Odd_rope_dimension_is_rejected()
    {
        var e = Fails("model:\n  d_model: 60\n  attention: { kind: mha, n_heads: 4, head_dim: 15 }\n");
        Assert.Equal("model.attention.head_dim", e.Key);
        Assert.Contains("even", e.Message);
    }

    [Fact]
    public void Odd_mla_rope_dimension_is_rejected()
    {
        var e = Fails("""
            model:
              attention: { kind: mla, n_heads: 4, kv_lora_rank: 8, qk_nope_head_dim: 8, qk_rope_head_dim: 5, v_head_dim: 8 }
            """);
        Assert.Equal("model.attention.qk_rope_head_dim", e.Key);
    }

    [Fact]
    public void Top_k_above_the_expert_count_is_rejected()
    {
        var e = Fails("model:\n  moe:\n    n_experts: 4\n    top_k: 6\n");
        Assert.Equal("model.moe.top_k", e.Key);
        Assert.Equal(4, e.Line);
        Assert.Contains("between 1 and n_experts = 4", e.Message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-8")]
    public void Window_must_be_positive(string window)
    {
        var e = Fails($"model:\n  attention:\n    window: {window}\n");
        Assert.Equal("model.attention.window", e.Key);
        Assert.Contains("positive", e.Message);
    }

    [Fact]
    public void Pattern_longer_than_the_layer_count_is_rejected()
    {
        var e = Fails("model:\n  n_layers: 4\n  attention:\n    window: 8\n    local_global: \"5:1\"\n");
        Assert.Equal("model.attention.local_global", e.Key);
        Assert.Contains("6 layers long", e.Message);
        Assert.Contains("n_layers = 4", e.Message);
    }

    [Fact]
    public void Explicit_layer_pattern_longer_than_the_layer_count_is_rejected()
    {
        var e = Fails("model:\n  n_layers: 2\n  attention:\n    window: 8\n    layer_pattern: [local, local, global]\n");
        Assert.Equal("model.attention.layer_pattern", e.Key);
    }

    [Fact]
    public void Mla_keys_on_another_attention_kind_are_rejected()
    {
        var e = Fails("model:\n  attention: { kind: gqa, n_heads: 4, n_kv_heads: 2, kv_lora_rank: 16 }\n");
        Assert.Equal("model.attention.kv_lora_rank", e.Key);
        Assert.Equal(2, e.Line);
        Assert.Contains("applies to kind: mla, not to kind: gqa", e.Message);
    }

    [Fact]
    public void Several_errors_are_all_reported()
    {
        var e = Fails("model:\n  d_model: -1\n  n_layers: 0\n");
        Assert.Contains("model.d_model", e.Message);
        Assert.Contains("model.n_layers", e.Message);
    }

    [Fact]
    public void Missing_file_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => RunConfig.Load(Path.Combine(_dir, "absent.yaml")));
        Assert.Contains("file not found", e.Message);
    }

    [Fact]
    public void Empty_text_gives_the_defaults()
    {
        // What `ablate data info` without a file reads; a run file must name its model (next test).
        var config = ConfigLoader.Parse<RunConfig>("", "(defaults)");
        Assert.Equal(new ModelConfig(), config.Model);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# a comment and nothing else\n")]
    [InlineData("train:\n  steps: 10\n")]
    public void Run_file_without_a_model_section_is_refused(string yaml)
    {
        var e = Fails(yaml);
        Assert.Equal(Path.Combine(_dir, "model.yaml"), e.File);
        Assert.Contains("has no 'model:' section", e.Message);
    }

    [Fact]
    public void Empty_section_is_refused_at_its_line_instead_of_binding_null()
    {
        var e = Fails("model:\n  d_model: 64\ntrain:\n");
        Assert.Equal("train", e.Key);
        Assert.Equal(3, e.Line);
        Assert.Contains("a value is required", e.Message);
    }

    [Fact]
    public void An_error_found_after_loading_is_placed_where_its_key_was_written()
    {
        var path = Write("model:\n  d_model: 64\ndata:\n  source: text\n  paths:\n    - a.txt\n    - b.txt\n");
        ConfigException At(string key, params string[] set) => ConfigLoader.ErrorAt<RunConfig>(path, set, key, "cannot be used");

        Assert.Equal((path, 5, 3), (At("data.paths").File, At("data.paths").Line, At("data.paths").Column));
        Assert.Equal((7, 7), (At("data.paths[1]").Line, At("data.paths[1]").Column));    // the item itself
        Assert.Equal(1, At("model.n_layers").Line);                                     // not written: its section
        Assert.Null(At("train.context").Line);                                          // nor its section: the file
        Assert.Equal($"{path}:5:3: data.paths: cannot be used", At("data.paths").Message);
        var set = At("data.paths[0]", "data.paths=[c.txt]");
        Assert.Equal(("--set data.paths=[c.txt]", null), (set.File, set.Line));
    }

    [Fact]
    public void Ratio_pattern_becomes_local_and_global_layers()
    {
        var config = RunConfig.Load(Write("model:\n  n_layers: 8\n  attention:\n    window: 16\n    local_global: \"5:1\"\n"));
        var plan = Ablations.Model.LayerPlan.From(config.Model);
        Assert.Equal("LLLLLGLL", string.Concat(plan.Layers.Select(l => l.IsLocal ? 'L' : 'G')));
        Assert.All(plan.Layers.Where(l => l.IsLocal), l => Assert.Equal(16, l.Window));
    }
}
