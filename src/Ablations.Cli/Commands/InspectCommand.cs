using Ablations.Common;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Experiments;
using Ablations.Reporting;
using Ablations.Training;

namespace Ablations.Cli.Commands;

/// <summary>
/// `ablate inspect model.yaml`: parameters, KV cache and FLOPs from the configuration alone; given an experiment file,
/// the same for each of its variants at one scale, side by side.
/// </summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("config") { Description = "a YAML file with a model: section (a preset or a run), or an experiment file (every variant)" };
        var context = NumberOption.Create("--context", "context length for the KV cache and FLOPs", LongContext.Tokens, minimum: 1);
        var dtype = new Option<string>("--dtype") { Description = "cache element type: fp32 | bf16 | fp16 | fp8", DefaultValueFactory = _ => "bf16" };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var set = new Option<string[]>("--set") { Description = "override a key, e.g. --set model.attention.n_kv_heads=2", AllowMultipleArgumentsPerToken = false };
        var granularity = GranularityOption.Create();
        var scale = new Option<string?>("--scale") { Description = "with an experiment file: the scale whose models to inspect (default: the file's default_scale)" };
        var command = new Command("inspect", "count parameters (total and active), KV cache and FLOPs per token without building weights")
        {
            file, context, dtype, json, set, granularity, scale,
        };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            var path = r.GetValue(file)!;
            if (IsExperiment(path))
            {
                var spec = ExperimentLoader.Load(path);
                var models = VariantModels(spec, r.GetValue(scale), r.GetValue(set) ?? Array.Empty<string>())
                    .Select(m => (m.Label, m.Config, Inspection: Inspector.Inspect(m.Config.Model, r.GetValue(context), r.GetValue(dtype)!))).ToList();
                Console.Write(r.GetValue(json)
                    ? JsonSerializer.Serialize(models.Select(m => new { variant = m.Label, inspection = Payload(path, m.Config, m.Inspection) }), Indented) + Environment.NewLine
                    : ToText(spec, r.GetValue(scale) ?? spec.DefaultScale ?? "default", models));
                return CliRunner.Ok;
            }
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

    /// <summary>An experiment file (name, base, variants) rather than one run's configuration (model, data, train).</summary>
    static bool IsExperiment(string path) =>
        File.Exists(path) && File.ReadLines(path).Any(l => l.StartsWith("variants:", StringComparison.Ordinal) || l.StartsWith("base:", StringComparison.Ordinal));

    /// <summary>
    /// Each variant's model at the scale, once per distinct model: a sweep over training keys (learning rate, data)
    /// leaves one, a sweep over a model key gives one per point, labelled with it.
    /// </summary>
    static List<(string Label, RunConfig Config)> VariantModels(ExperimentSpec spec, string? scale, IEnumerable<string> set)
    {
        var models = new List<(string Label, RunConfig Config)>();
        foreach (var variant in spec.Expand(scale, set).GroupBy(r => r.Variant))
        {
            var distinct = variant.GroupBy(r => ConfigWriter.ToYaml(r.Config.Model)).Select(g => g.First()).ToList();
            foreach (var run in distinct)
                models.Add((distinct.Count > 1 ? $"{variant.Key} ({run.SweepPoint})" : variant.Key, run.Config));
        }
        return models;
    }

    static string ToText(ExperimentSpec spec, string scale, List<(string Label, RunConfig Config, Inspection Inspection)> models)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        var context = models.Count > 0 ? models[0].Inspection.Context : 0;
        w.WriteLine($"{spec.Name} at scale {scale}: {Units.Counted(models.Count, "model")} (* without embeddings; KV cache in {models.FirstOrDefault().Inspection?.DType}, per token and for one sequence of {context:N0} tokens, local layers capped at their window; FLOPs of the forward pass per token at that context)");
        w.WriteLine();
        var width = Math.Max(8, models.Max(m => m.Label.Length)) + 2;
        w.WriteLine($"  {"variant".PadRight(width)}{"layers",7}{"d_model",8}{"total",10}{"active",10}{"total *",10}{"active *",10}{"KV/token",11}{"KV at context",15}{"FLOPs/token",13}");
        foreach (var (label, config, i) in models)
            w.WriteLine($"  {label.PadRight(width)}{i.Layers,7}{config.Model.DModel,8}{Units.Count(i.TotalParameters),10}{Units.Count(i.ActiveParameters),10}" +
                        $"{Units.Count(i.TotalWithoutEmbeddings),10}{Units.Count(i.ActiveWithoutEmbeddings),10}{Units.Bytes(i.KvBytesPerToken),11}{Units.Bytes(i.KvBytesAtContext),15}{Units.Flops(i.FlopsPerToken),13}");
        return w.ToString();
    }

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    static string Deviation(double ours, double published) =>
        $"{Units.Count(ours)} ({(ours - published) / published * 100:+0.00;-0.00}%)";

    static string ToJson(string path, RunConfig config, Inspection i) =>
        JsonSerializer.Serialize(Payload(path, config, i), Indented) + Environment.NewLine;

    static object Payload(string path, RunConfig config, Inspection i) =>
        new
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
}
