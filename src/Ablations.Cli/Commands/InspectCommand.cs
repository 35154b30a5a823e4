using Ablations.Common;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Cli.Commands;

/// <summary>`ablate inspect model.yaml`: parameters, KV cache and FLOPs from the configuration alone.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("config") { Description = "a YAML file with a model: section (a preset, a run or an experiment base)" };
        var context = NumberOption.Create("--context", "context length for the KV cache and FLOPs", LongContext.Tokens, minimum: 1);
        var dtype = new Option<string>("--dtype") { Description = "cache element type: fp32 | bf16 | fp16 | fp8", DefaultValueFactory = _ => "bf16" };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var set = new Option<string[]>("--set") { Description = "override a key, e.g. --set model.attention.n_kv_heads=2", AllowMultipleArgumentsPerToken = false };
        var granularity = GranularityOption.Create();
        var command = new Command("inspect", "count parameters (total and active), KV cache and FLOPs per token without building weights")
        {
            file, context, dtype, json, set, granularity,
        };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            var path = r.GetValue(file)!;
            var config = RunConfig.Load(path, r.GetValue(set) ?? Array.Empty<string>());
            if (GranularityOption.Resolve(config.Model, r.GetValue(granularity)) is int g)
                config = config with { Model = config.Model with { FeedForward = config.Model.FeedForward.AtGranularity(g, config.Model.DModel) } };
            var inspection = Inspector.Inspect(config.Model, r.GetValue(context), r.GetValue(dtype)!);
            Console.Write(r.GetValue(json) ? ToJson(path, config, inspection) : ToText(path, config, inspection));
            return CliRunner.Ok;
        }));
        return command;
    }

    static string ToText(string path, RunConfig config, Inspection i)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        var name = config.Reference?.Name is { Length: > 0 } n ? n : Path.GetFileNameWithoutExtension(path);
        w.WriteLine($"{name}: {i.Layers} layers ({i.LocalLayers} local, {i.MoeLayers} MoE), d_model {config.Model.DModel}, " +
                    $"attention {SnakeCase.Of(config.Model.Attention.Kind.ToString())}, norm {SnakeCase.Of(config.Model.Norm.Placement.ToString())}");
        w.WriteLine();
        w.WriteLine($"  {"parameters",-22}{"total",14}{"active/token",16}");
        foreach (var row in i.Parameters)
            w.WriteLine($"  {row.Component + (row.IsEmbedding ? " *" : ""),-22}{Units.Count(row.Total),14}{Units.Count(row.Active),16}");
        w.WriteLine($"  {"all",-22}{Units.Count(i.TotalParameters),14}{Units.Count(i.ActiveParameters),16}");
        w.WriteLine($"  {"without embeddings *",-22}{Units.Count(i.TotalWithoutEmbeddings),14}{Units.Count(i.ActiveWithoutEmbeddings),16}");
        w.WriteLine("  (* embeddings: token and position tables, per-layer embedding tables and an untied output head)");
        if (i.PerLayerEmbeddingParameters > 0)
            w.WriteLine($"  {"raw (all)",-22}{Units.Count(i.TotalParameters),14}\n  {"effective (w/o PLE)",-22}{Units.Count(i.EffectiveParameters),14}" +
                        $"   (per-layer embedding tables: {Units.Count(i.PerLayerEmbeddingParameters)}, kept off the accelerator in Gemma 3n)");
        if (config.Reference is { } reference)
        {
            if (reference.ParametersTotal is double pt)
                w.WriteLine($"  published total {Units.Count(pt)}: ours is {Deviation(i.TotalParameters, pt)}");
            if (reference.ParametersActive is double pa)
                w.WriteLine($"  published active {Units.Count(pa)}: ours is {Deviation(i.ActiveParameters, pa)}");
            if (reference.Source.Length > 0) w.WriteLine($"  source: {reference.Source}");
            if (reference.Note.Length > 0) w.WriteLine($"  note: {reference.Note}");
        }
        w.WriteLine();
        w.WriteLine($"  KV cache ({i.DType}): {Units.Bytes(i.KvBytesPerToken)} per token ({i.KvElementsPerToken:N0} elements over all layers), " +
                    $"{Units.Bytes(i.KvBytesAtContext)} for {i.Context:N0} tokens{(i.LocalLayers > 0 ? " (local layers capped at the window)" : "")}");
        w.WriteLine($"  forward FLOPs per token at {i.Context:N0} context: {Units.Flops(i.FlopsPerToken)} " +
                    $"({Units.Flops(i.MatmulFlopsPerToken)} matrix products + {Units.Flops(i.AttentionFlopsPerToken)} attention)");
        return w.ToString();
    }

    static string Deviation(double ours, double published) =>
        $"{Units.Count(ours)} ({(ours - published) / published * 100:+0.00;-0.00}%)";

    static string ToJson(string path, RunConfig config, Inspection i)
    {
        var payload = new
        {
            config = path,
            name = config.Reference?.Name,
            layers = i.Layers,
            local_layers = i.LocalLayers,
            moe_layers = i.MoeLayers,
            parameters = i.Parameters.Select(r => new { component = r.Component, total = r.Total, active = r.Active, embedding = r.IsEmbedding }),
            parameters_total = i.TotalParameters,
            parameters_active = i.ActiveParameters,
            parameters_total_without_embeddings = i.TotalWithoutEmbeddings,
            parameters_active_without_embeddings = i.ActiveWithoutEmbeddings,
            parameters_per_layer_embeddings = i.PerLayerEmbeddingParameters,
            parameters_effective = i.EffectiveParameters,
            published_total = config.Reference?.ParametersTotal,
            published_active = config.Reference?.ParametersActive,
            dtype = i.DType,
            kv_cache_bytes_per_token = i.KvBytesPerToken,
            context = i.Context,
            kv_cache_bytes_at_context = i.KvBytesAtContext,
            flops_per_token = i.FlopsPerToken,
            matmul_flops_per_token = i.MatmulFlopsPerToken,
            attention_flops_per_token = i.AttentionFlopsPerToken,
        };
        return JsonSerializer.Serialize(payload, new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine;
    }
}
