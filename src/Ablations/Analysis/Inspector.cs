using Ablations.Config;
using Ablations.Model;

namespace Ablations.Analysis;

/// <summary>
/// Parameters (total and active per token, by component), KV-cache bytes and forward FLOPs per token, from a
/// model configuration as a sum over its layer plan of what each layer's component records count.
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

        // A sum over the plan's kinds of layer, each counted once and multiplied by how many layers are of it (a
        // million-layer model costs no more than a four-layer one), kept in first-seen component order.
        var layerRows = new List<ParameterTally>();
        long kvPerToken = 0, kvAtContext = 0;
        double attentionFlops = 0;
        foreach (var (layer, count) in plan.Groups)
        {
            var attention = layer.Attention;
            layerRows.AddRange(layer.Parameters(model).Select(t => new ParameterTally(t.Component, t.Total * count, t.Active * count)));
            var kv = attention.KvElementsPerToken(model);
            kvPerToken += count * kv;
            var kept = Math.Min(context, (long?)layer.Window ?? long.MaxValue);   // tokens each layer of this kind caches
            if (kvAtContext + (double)count * kept * kv * bytes > long.MaxValue)
                throw new ConfigException($"a KV cache of {context:N0} tokens would take more bytes than can be counted; ask for fewer tokens", key: "--context");
            kvAtContext += count * kept * kv * bytes;
            // Attention scores and the weighted sum: 2 (d_qk + d_v) per head per attended key, averaged over positions 1..context.
            var (qk, vw) = attention.HeadWidths(model);
            attentionFlops += count * 2.0 * attention.NHeads * (qk + vw) * MeanAttended(context, layer.Window);
        }
        if (DecoderBlock.NeedsFinalNorm(model.Norm.Placement)) layerRows.Add(new("norms", model.Norm.ParameterCount(d)));

        var rows = new List<ParameterRow> { new("token embedding", v * d, v * d, true) };
        if (model.Positions.TableRows(model) is > 0 and var positions)
            rows.Add(new("position embedding", positions * d, positions * d, true));
        rows.AddRange(layerRows.GroupBy(r => r.Component)
            .Select(g => new ParameterRow(g.Key, g.Sum(r => r.Total), g.Sum(r => r.Active), false)));
        if (model.PerLayerEmbeddings is { } ple)
        {
            // The tables are looked up (no FLOPs); the gated branches are products like any layer's.
            var table = ple.TableParameters(model);
            rows.Add(new("per-layer embeddings", table, table, true, IsPerLayerEmbedding: true));
            var branches = model.NLayers * ple.BranchParameters(model);
            rows.Add(new("per-layer branches", branches, branches, false));
        }
        if (!model.TieEmbeddings) rows.Add(new("output head", v * d, v * d, true));

        // Matrix products: 2 FLOPs per active weight a token multiplies by (the input embedding is a lookup;
        // a tied output head is still a product).
        var lookups = rows.Where(r => r.Component is "token embedding" or "position embedding" || r.IsPerLayerEmbedding).Sum(r => r.Active);
        var matmul = 2.0 * (rows.Sum(r => r.Active) - lookups + (model.TieEmbeddings ? v * d : 0));

        return new Inspection
        {
            Parameters = rows,
            Layers = model.NLayers,
            LocalLayers = plan.LocalLayers,
            MoeLayers = plan.MoeLayers,
            DType = dtype,
            BytesPerElement = bytes,
            KvElementsPerToken = kvPerToken,
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
