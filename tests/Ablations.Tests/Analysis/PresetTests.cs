using Ablations.Analysis;
using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Analysis;

public class PresetTests
{
    public static IEnumerable<object[]> Presets() =>
        Directory.GetFiles(Repo.Path("experiments", "presets"), "*.yaml").Order().Select(f => new object[] { System.IO.Path.GetFileName(f) });

    /// <summary>Presets whose source publishes no exact count of what the preset models (they must say why in their note).</summary>
    static readonly string[] WithoutExactCount = { "gemma3n-e4b.yaml" };

    public static IEnumerable<object[]> PresetsWithPublishedCounts() => Presets().Where(p => !WithoutExactCount.Contains((string)p[0]));

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_names_its_source_and_a_preset_without_a_published_count_says_why(string file)
    {
        var reference = RunConfig.Load(Repo.Path("experiments", "presets", file)).Reference;
        Assert.NotNull(reference);
        Assert.NotEmpty(reference!.Source);
        if (WithoutExactCount.Contains(file))
        {
            Assert.Null(reference.ParametersTotal);
            Assert.Contains("no exact text-only total is published", reference.Note);
        }
    }

    [Fact]
    public void Gemma3n_counts_its_per_layer_embeddings_apart_from_the_effective_count()
    {
        var config = RunConfig.Load(Repo.Path("experiments", "presets", "gemma3n-e4b.yaml"));
        var i = Inspector.Inspect(config.Model, 4096);
        const long table = 262144L * 35 * 256;                  // one 256-wide row per token and layer
        Assert.Equal(table, i.PerLayerEmbeddingParameters);
        Assert.Equal(i.TotalParameters - table, i.EffectiveParameters);
        // Per layer: attention 2048*8*256*2 + 2*2048*2*256 + 2*256 (QK-Norm) = 10,486,272; GeGLU 3*2048*16384;
        // four sandwich norms; the PLE branch 2*2048*256 + its norm 2048. Plus the tied token table and the final norm.
        const long perLayer = 10_486_272 + 3L * 2048 * 16384 + 4 * 2048 + 2L * 2048 * 256 + 2048;
        Assert.Equal(262144L * 2048 + 35 * perLayer + 2048, i.EffectiveParameters);
    }

    [Theory]
    [MemberData(nameof(PresetsWithPublishedCounts))]
    public void Preset_total_is_within_one_percent_of_the_published_count(string file)
    {
        var config = RunConfig.Load(Repo.Path("experiments", "presets", file));
        Assert.NotNull(config.Reference?.ParametersTotal);
        var total = Inspector.Inspect(config.Model, 4096).TotalParameters;
        var published = config.Reference!.ParametersTotal!.Value;
        Assert.True(Math.Abs(total - published) / published < 0.01, $"{file}: {total:N0} vs published {published:N0}");
    }

    [Fact]
    public void Every_preset_the_issue_names_is_there()
    {
        var names = Presets().Select(p => (string)p[0]).ToList();
        foreach (var expected in new[] { "deepseek-v3.yaml", "olmo2-7b.yaml", "gemma3-27b.yaml", "gemma2-27b.yaml", "mistral-small-3.1-24b.yaml", "llama3-8b.yaml" })
            Assert.Contains(expected, names);
    }

    [Fact]
    public void DeepSeek_v3_counts_match_the_hand_computation()
    {
        // Per layer MLA: q_a 7168*1536 + 1536 + q_b 1536*128*192 + kv_a 7168*576 + 512 + kv_b 512*128*256 + o 128*128*7168
        const long mla = 11_010_048 + 1_536 + 37_748_736 + 4_128_768 + 512 + 16_777_216 + 117_440_512;
        const long expert = 3L * 7168 * 2048;
        const long dense = 3L * 7168 * 18432;
        const long router = 256L * 7168;
        const long embeddings = 2L * 129280 * 7168;
        const long norms = (2L * 61 + 1) * 7168;
        var config = RunConfig.Load(Repo.Path("experiments", "presets", "deepseek-v3.yaml"));
        var i = Inspector.Inspect(config.Model, 4096);
        Assert.Equal(61 * mla + 3 * dense + 58 * (257 * expert + router) + embeddings + norms, i.TotalParameters);
        Assert.Equal(61 * mla + 3 * dense + 58 * (9 * expert + router) + embeddings + norms, i.ActiveParameters);
        // The paper's "37B activated" is rounded to 1B. Ours counts whole embedding tables (as Mixtral's 12.9B
        // does) and lands at 37.55B; without the input table (one row per token) it is 36.63B. Both are within 1.5%.
        Assert.True(Math.Abs(i.ActiveParameters - 37e9) / 37e9 < 0.015);
        // MLA caches kv_lora_rank + qk_rope_head_dim = 576 elements per token and layer.
        Assert.Equal(61L * 576, i.KvElementsPerToken);
    }

    [Fact]
    public void Gemma3_caps_five_of_six_layers_at_the_window()
    {
        var config = RunConfig.Load(Repo.Path("experiments", "presets", "gemma3-27b.yaml"));
        var i = Inspector.Inspect(config.Model, 32768, "bf16");
        Assert.Equal(52, i.LocalLayers);
        const long perLayerToken = 2L * 16 * 128 * 2;  // k and v, 16 kv heads, head_dim 128, bf16
        Assert.Equal((52L * 1024 + 10L * 32768) * perLayerToken, i.KvBytesAtContext);
    }
}
