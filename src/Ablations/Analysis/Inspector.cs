using Ablations.Config;
using Ablations.Model;
using Ablations.Model.Attention;
using Ablations.Model.FeedForward;
using Ablations.Model.Norms;

namespace Ablations.Analysis;

/// <summary>
/// Parameters (total and active per token, by component), KV-cache bytes and forward FLOPs per token, from a
/// model configuration and its layer plan, using the analytic counts that sit beside each component.
/// Works in microseconds for any size: nothing is allocated but numbers.
/// </summary>
public static class Inspector
{
    public static readonly IReadOnlyDictionary<string, int> DTypeBytes = new Dictionary<string, int>
    {
        ["fp32"] = 4, ["bf16"] = 2, ["fp16"] = 2, ["fp8"] = 1,
    };

    public static Inspection Inspect(ModelConfig model, long context, string dtype = "bf16")
    {
        if (!DTypeBytes.TryGetValue(dtype, out var bytes))
            throw new ConfigException($"unknown dtype '{dtype}'; allowed: {string.Join(" | ", DTypeBytes.Keys)}", key: "--dtype");
        if (context <= 0) throw new ConfigException($"must be a positive number of tokens, got {context}", key: "--context");

        var plan = LayerPlan.From(model);
        long d = model.DModel, v = model.VocabSize;
        var norm = NormFactory.ParameterCount(model.Norm.Kind, d);
        long dense = plan.Layers.Count(l => !l.IsMoe);
        var denseFfn = FeedForwardFactory.DenseParameterCount(model.FeedForward.Kind, d, model.FeedForward.ResolvedHidden(model.DModel));

        var rows = new List<ParameterRow>
        {
            new("token embedding", v * d, v * d, true),
        };
        if (model.Positions.Kind == PositionKind.Learned)
            rows.Add(new("position embedding", model.ContextLength * d, model.ContextLength * d, true));
        var attention = AttentionFactory.ParameterCount(model) * plan.Layers.Count;
        rows.Add(new("attention", attention, attention, false));
        var norms = norm * (DecoderBlock.NormsPerBlock(model.Norm.Placement) * plan.Layers.Count + (DecoderBlock.NeedsFinalNorm(model.Norm.Placement) ? 1 : 0));
        rows.Add(new("norms", norms, norms, false));
        if (dense > 0) rows.Add(new("dense feed-forward", dense * denseFfn, dense * denseFfn, false));
        if (model.Moe is { } moe && plan.MoeLayers > 0)
        {
            long n = plan.MoeLayers;
            var perExpert = FeedForwardFactory.MatricesOf(model.FeedForward.Kind) * d * moe.ExpertHidden;
            rows.Add(new("routed experts", n * moe.NExperts * perExpert, n * moe.TopK * perExpert, false));
            if (moe.NSharedExperts > 0) rows.Add(new("shared experts", n * moe.NSharedExperts * perExpert, n * moe.NSharedExperts * perExpert, false));
            var router = n * TopKRouter.ParameterCount(d, moe);
            rows.Add(new("routers", router, router, false));
        }
        if (!model.TieEmbeddings) rows.Add(new("output head", v * d, v * d, true));

        var kvPerLayer = AttentionFactory.KvElementsPerToken(model);
        var kvAtContext = plan.Layers.Sum(l => Math.Min(context, (long?)l.Window ?? long.MaxValue)) * kvPerLayer * bytes;

        // Matrix products: 2 FLOPs per active weight a token multiplies by (the input embedding is a lookup;
        // a tied output head is still a product). Attention scores and the weighted sum: 2 (d_qk + d_v) per
        // head per attended key, averaged over the positions 1..context.
        var lookups = rows.Where(r => r.Component is "token embedding" or "position embedding").Sum(r => r.Active);
        var matmul = 2.0 * (rows.Sum(r => r.Active) - lookups + (model.TieEmbeddings ? v * d : 0));
        var (qk, vw) = AttentionFactory.HeadWidths(model);
        var attentionFlops = plan.Layers.Sum(l => 2.0 * model.Attention.NHeads * (qk + vw) * MeanAttended(context, l.Window));

        return new Inspection
        {
            Parameters = rows,
            Layers = plan.Layers.Count,
            LocalLayers = plan.LocalLayers,
            MoeLayers = plan.MoeLayers,
            DType = dtype,
            BytesPerElement = bytes,
            KvElementsPerToken = kvPerLayer * plan.Layers.Count,
            Context = context,
            KvBytesAtContext = kvAtContext,
            MatmulFlopsPerToken = matmul,
            AttentionFlopsPerToken = attentionFlops,
            FlopsPerToken = matmul + attentionFlops,
        };
    }

    /// <summary>Mean over positions t = 1..n of the keys position t attends to: t, or at most the window.</summary>
    static double MeanAttended(long n, int? window)
    {
        if (window is not int w || w >= n) return (n + 1) / 2.0;
        // positions 1..w see t keys, the remaining n-w see w
        return ((double)w * (w + 1) / 2 + (double)(n - w) * w) / n;
    }
}
