using Ablations.Config;
using Ablations.Model;
using Ablations.Model.Attention;
using Ablations.Model.FeedForward;
using Ablations.Model.Norms;
using Ablations.Model.Positions;
using Ablations.Training;

namespace Ablations.Tests.Config;

/// <summary>Component families chosen by kind: which record a kind binds to, what switching kinds drops, and the errors.</summary>
public class ConfigFamilyTests
{
    const string Gqa = "model:\n  d_model: 64\n  attention: { kind: gqa, n_heads: 8, n_kv_heads: 2, head_dim: 8 }\n";

    static ConfigException Fails(string yaml, params string[] set) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>(yaml, "m.yaml", set));

    [Fact]
    public void Each_kind_binds_to_its_record()
    {
        var c = ConfigLoader.Parse<RunConfig>(
            "model:\n  attention: { kind: mla, n_heads: 2, kv_lora_rank: 8, qk_nope_head_dim: 4, qk_rope_head_dim: 2, v_head_dim: 4 }\n" +
            "  positions: { kind: learned }\n  norm: { kind: layernorm }\n  feed_forward: { kind: gelu }\n", "m.yaml");
        Assert.IsType<LatentAttentionConfig>(c.Model.Attention);
        Assert.IsType<LearnedPositionConfig>(c.Model.Positions);
        Assert.IsType<LayerNormConfig>(c.Model.Norm);
        Assert.IsType<GeluMlpConfig>(c.Model.FeedForward);
        Assert.Equal(512, c.Model.FeedForward.ResolvedHidden(128));   // gelu's default: 4 x d_model
    }

    [Fact]
    public void A_section_without_kind_keeps_the_default_kind()
    {
        var c = ConfigLoader.Parse<RunConfig>("model:\n  attention: { n_heads: 2 }\n  feed_forward: { hidden: 64 }\n", "m.yaml");
        Assert.Equal(AttentionKind.Mha, c.Model.Attention.Kind);
        Assert.Equal(FeedForwardKind.Swiglu, c.Model.FeedForward.Kind);
    }

    [Fact]
    public void Switching_kind_by_override_drops_the_old_kinds_keys_without_null()
    {
        var mla = ConfigLoader.Parse<RunConfig>(Gqa, "m.yaml", new[]
        {
            "model.attention.kind=mla", "model.attention.kv_lora_rank=16", "model.attention.qk_nope_head_dim=8",
            "model.attention.qk_rope_head_dim=4", "model.attention.v_head_dim=8",
        });
        var latent = Assert.IsType<LatentAttentionConfig>(mla.Model.Attention);
        Assert.Equal(8, latent.NHeads);   // a key every kind takes stays
        Assert.Equal(16, latent.KvLoraRank);

        var mha = ConfigLoader.Parse<RunConfig>(Gqa, "m.yaml", new[] { "model.attention.kind=mha" });
        var grouped = Assert.IsType<GroupedAttentionConfig>(mha.Model.Attention);
        Assert.Null(grouped.NKvHeads);     // n_kv_heads belongs to gqa only
        Assert.Equal(8, grouped.HeadDim);  // head_dim belongs to mha too
        Assert.Equal(8, grouped.ResolvedNKvHeads);
    }

    [Fact]
    public void Switching_kind_keeps_a_key_the_same_overrides_set_and_reports_it()
    {
        var e = Fails(Gqa, "model.attention.kind=mha", "model.attention.n_kv_heads=4");
        Assert.Equal("model.attention.n_kv_heads", e.Key);
        Assert.Contains("applies to kind: gqa, not to kind: mha", e.Message);
        Assert.Contains("--set model.attention.n_kv_heads=4", e.Message);
    }

    [Fact]
    public void A_key_of_another_kind_names_the_kinds_it_belongs_to_and_where_it_was_written()
    {
        var e = Fails("model:\n  attention:\n    kind: mla\n    n_heads: 2\n    qk_norm: true\n");
        Assert.Equal("model.attention.qk_norm", e.Key);
        Assert.Equal(5, e.Line);
        Assert.Contains("applies to kind: mha | gqa | mqa, not to kind: mla", e.Message);
        var rope = Fails("model:\n  positions: { kind: learned, rope_theta: 500000 }\n");
        Assert.Contains("applies to kind: rope, not to kind: learned", rope.Message);
    }

    [Fact]
    public void An_unknown_kind_lists_the_registered_kinds()
    {
        var e = Fails("model:\n  feed_forward: { kind: relu }\n");
        Assert.Equal("model.feed_forward.kind", e.Key);
        Assert.Contains("allowed: gelu | swiglu | geglu", e.Message);
        var a = Fails(Gqa, "model.attention.kind=mlp");
        Assert.Contains("allowed: mha | gqa | mqa | mla", a.Message);
    }

    [Fact]
    public void A_key_no_kind_takes_is_unknown_with_the_kinds_keys_listed()
    {
        var e = Fails("model:\n  norm: { kind: rmsnorm, epsilon: 1.0e-6 }\n");
        Assert.Contains("unknown key 'epsilon'", e.Message);
        Assert.Contains("kind, placement, eps", e.Message);
    }

    [Fact]
    public void A_record_built_in_code_with_a_key_of_another_kind_fails_validation()
    {
        var errors = new GroupedAttentionConfig { Kind = AttentionKind.Mqa, NHeads = 4, NKvHeads = 2 }.Validate().ToList();
        Assert.Contains(errors, e => e.Key == "n_kv_heads" && e.Message.Contains("not to kind: mqa"));
    }

    [Fact]
    public void Written_config_round_trips_with_kind_first()
    {
        var config = ConfigLoader.Parse<RunConfig>(Gqa, "m.yaml", new[] { "model.positions.rope_theta_local=10000", "model.attention.window=4", "model.attention.local_global=1:1" });
        var yaml = ConfigWriter.ToYaml(config);
        Assert.Contains("attention:\n    kind: gqa\n", yaml);
        Assert.Equal(yaml, ConfigWriter.ToYaml(ConfigLoader.Parse<RunConfig>(yaml, "config.yaml")));
    }

    [Fact]
    public void Rope_theta_local_reaches_local_layers_only()
    {
        var config = ConfigLoader.Parse<RunConfig>(Gqa, "m.yaml",
            new[] { "model.n_layers=4", "model.attention.window=4", "model.attention.local_global=1:1", "model.positions.rope_theta=1000000", "model.positions.rope_theta_local=10000" });
        var plan = LayerPlan.From(config.Model);
        Assert.Equal(new[] { 10000.0, 1e6, 10000.0, 1e6 }, plan.Layers.Select(l => ((RopeConfig)l.Positions).RopeTheta));
        var none = Fails(Gqa, "model.positions.rope_theta_local=10000");
        Assert.Equal("model.positions.rope_theta_local", none.Key);
    }
}
