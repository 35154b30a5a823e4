using Ablations.Config;
using Ablations.Training;
using Ablations.Model;

using Ablations.Model.Attention;

namespace Ablations.Tests.Config;

public class ConfigOverridesTests
{
    const string Yaml = "model:\n  d_model: 64\n  attention: { kind: gqa, n_heads: 8, n_kv_heads: 2 }\n";

    [Fact]
    public void Dotted_key_overrides_a_nested_value()
    {
        var config = ConfigLoader.Parse<RunConfig>(Yaml, "x.yaml", new[] { "model.attention.n_kv_heads=4", "model.d_model=128" });
        Assert.Equal(4, ((GroupedAttentionConfig)config.Model.Attention).ResolvedNKvHeads);
        Assert.Equal(128, config.Model.DModel);
    }

    [Fact]
    public void Intermediate_sections_may_be_left_out_when_the_key_is_unique()
    {
        var config = ConfigLoader.Parse<RunConfig>(Yaml, "x.yaml", new[] { "model.n_kv_heads=1" });
        Assert.Equal(1, ((GroupedAttentionConfig)config.Model.Attention).ResolvedNKvHeads);
    }

    [Fact]
    public void Override_can_create_a_section_and_set_a_list()
    {
        var config = ConfigLoader.Parse<RunConfig>(Yaml, "x.yaml",
            new[] { "model.moe.n_experts=4", "model.moe.top_k=1", "model.attention.window=8", "model.attention.layer_pattern=[local, global]" });
        Assert.Equal(4, config.Model.Moe!.NExperts);
        Assert.Equal(new[] { LayerAttentionSpan.Local, LayerAttentionSpan.Global }, config.Model.Attention.LayerPattern);
    }

    [Fact]
    public void Unknown_override_key_lists_the_allowed_keys()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(Yaml, "x.yaml", new[] { "model.attention.n_kv=2" }));
        Assert.Contains("unknown key 'n_kv'", e.Message);
        Assert.Contains("n_kv_heads", e.Message);
        Assert.Equal("--set model.attention.n_kv=2", e.File);
    }

    [Fact]
    public void Ambiguous_short_key_names_the_candidates()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(Yaml, "x.yaml", new[] { "model.kind=gelu" }));
        Assert.Contains("ambiguous", e.Message);
        Assert.Contains("model.feed_forward.kind", e.Message);
    }

    [Fact]
    public void Invalid_override_value_is_blamed_on_the_override()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(Yaml, "x.yaml", new[] { "model.attention.n_kv_heads=3" }));
        Assert.Equal("--set model.attention.n_kv_heads=3", e.File);
        Assert.Contains("not divisible", e.Message);
    }

    [Fact]
    public void Missing_equals_sign_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(Yaml, "x.yaml", new[] { "model.d_model" }));
        Assert.Contains("key=value", e.Message);
    }
}
