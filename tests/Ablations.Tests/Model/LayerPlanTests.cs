using System.Diagnostics;
using Ablations.Analysis;
using Ablations.Model;
using Ablations.Model.Attention;
using Ablations.Model.FeedForward;
using Ablations.Training;

namespace Ablations.Tests.Model;

public class LayerPlanTests
{
    /// <summary>Plans with every source of variation: windows in a cycle, a dense prefix before MoE, both, and neither.</summary>
    public static IEnumerable<object[]> Plans()
    {
        foreach (var preset in Directory.GetFiles(Repo.Path("experiments", "presets"), "*.yaml").Order())
            yield return new object[] { Path.GetFileName(preset), RunConfig.Load(preset).Model };
        var tiny = TinyModels.Base() with { NLayers = 11 };
        yield return new object[] { "global only", tiny };
        yield return new object[] { "window on every layer", tiny with { Attention = tiny.Attention with { Window = 4 } } };
        yield return new object[] { "2:1 cycle, cut mid-cycle", tiny with { Attention = tiny.Attention with { Window = 4, LocalGlobal = "2:1" } } };
        yield return new object[] { "explicit pattern", tiny with { Attention = tiny.Attention with { Window = 4, LayerPattern = new[] { LayerAttentionSpan.Global, LayerAttentionSpan.Local, LayerAttentionSpan.Local } } } };
        yield return new object[] { "moe, 4 dense layers, 3:2 cycle", TinyModels.Moe(tiny with { Attention = tiny.Attention with { Window = 4, LocalGlobal = "3:2" } }) with
            { Moe = new MoeConfig { NExperts = 4, TopK = 2, ExpertHidden = 16, DenseLayers = 4 } } };
        yield return new object[] { "moe, every layer dense", TinyModels.Moe(tiny) with { Moe = new MoeConfig { NExperts = 4, TopK = 1, ExpertHidden = 16, DenseLayers = 11 } } };
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Groups_count_the_same_layers_as_the_full_list(string name, ModelConfig model)
    {
        var plan = LayerPlan.From(model);
        var expected = plan.Layers.GroupBy(l => (l.IsLocal, l.IsMoe)).Select(g => new LayerGroup(g.First(), g.Count())).ToList();
        Assert.True(expected.SequenceEqual(plan.Groups), $"{name}: {plan}");
        Assert.Equal(plan.Layers.Count(l => l.IsLocal), plan.LocalLayers);
        Assert.Equal(plan.Layers.Count(l => l.IsMoe), plan.MoeLayers);
    }

    [Theory]
    [MemberData(nameof(Plans))]
    public void Inspector_counts_by_group_what_a_sum_over_every_layer_counts(string name, ModelConfig model)
    {
        const long context = 100;
        var layers = LayerPlan.From(model).Layers;
        var inspection = Inspector.Inspect(model, context, "fp32");

        // Every layer's own count, plus what sits outside the layers but is no embedding: the final norm and PLE's branches.
        var perLayer = layers.SelectMany(l => l.Parameters(model)).ToList();
        var outside = (DecoderBlock.NeedsFinalNorm(model.Norm.Placement) ? model.Norm.ParameterCount(model.DModel) : 0)
                      + (model.PerLayerEmbeddings is { } ple ? model.NLayers * ple.BranchParameters(model) : 0);
        Assert.True(perLayer.Sum(t => t.Total) + outside == inspection.TotalWithoutEmbeddings,
            $"{name}: per layer {perLayer.Sum(t => t.Total) + outside}, by kind {inspection.TotalWithoutEmbeddings}");
        Assert.Equal(perLayer.Sum(t => t.Active) + outside, inspection.ActiveWithoutEmbeddings);
        var components = perLayer.Select(t => t.Component).Distinct().ToList();
        Assert.Equal(components, inspection.Parameters.Where(r => !r.IsEmbedding).Select(r => r.Component).Take(components.Count));
        Assert.Equal(layers.Sum(l => l.Attention.KvElementsPerToken(model)), inspection.KvElementsPerToken);
        Assert.Equal(layers.Sum(l => Math.Min(context, l.Window ?? context) * l.Attention.KvElementsPerToken(model) * 4), inspection.KvBytesAtContext);
    }

    [Fact]
    public void A_million_layers_are_counted_at_once_and_exactly()
    {
        var one = TinyModels.Moe(TinyModels.Base() with { NLayers = 6, Attention = TinyModels.Base().Attention with { Window = 4, LocalGlobal = "5:1" } });
        var million = one with { NLayers = 1_000_000 };
        Inspector.Inspect(one, 64);   // warm up the code path so the timing below is of the counting alone

        var watch = Stopwatch.StartNew();
        var i = Inspector.Inspect(million, 64);
        watch.Stop();

        // 1,000,000 = 166,666 cycles of 5 local + 1 global, and 4 more layers (local); one dense layer, the rest MoE.
        Assert.Equal((1_000_000, 166_666 * 5 + 4, 999_999), (i.Layers, i.LocalLayers, i.MoeLayers));
        var small = Inspector.Inspect(one, 64);
        var perMoeLayer = (small.TotalWithoutEmbeddings - Inspector.Inspect(one with { NLayers = 5 }, 64).TotalWithoutEmbeddings);
        Assert.Equal(small.TotalWithoutEmbeddings + (1_000_000 - 6) * perMoeLayer, i.TotalWithoutEmbeddings);
        Assert.True(watch.ElapsedMilliseconds < 100, $"took {watch.ElapsedMilliseconds} ms");
    }
}
