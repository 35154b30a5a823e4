using Ablations.Common;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ablations.Training;

/// <summary>summary.json: how a run ended and its headline numbers. A run is complete when this file exists.</summary>
public sealed record RunSummary
{
    /// <summary>Completed, or diverged (a result, not a crash).</summary>
    public required RunStatus Status { get; init; }
    public string? DivergedReason { get; init; }
    public required int Steps { get; init; }
    public required long Tokens { get; init; }
    public double? FinalValLoss { get; init; }
    public double? FinalValPerplexity { get; init; }
    public double? FinalValBitsPerByte { get; init; }
    public double? BestValLoss { get; init; }
    /// <summary>Share of scored validation tokens predicted right at the final evaluation (recall: answer accuracy).</summary>
    public double? FinalValAccuracy { get; init; }
    public double? FinalTrainLoss { get; init; }
    public double? LossFloor { get; init; }
    public required double WallSeconds { get; init; }
    /// <summary>Median over logged steps of training tokens per second.</summary>
    public required double TokensPerSecond { get; init; }
    public required double MaxGradNorm { get; init; }
    public double? MaxAttentionLogit { get; init; }
    public required int LossSpikes { get; init; }
    public required long ParametersTotal { get; init; }
    public required long ParametersActive { get; init; }
    public required long KvCacheBytesPerToken { get; init; }
    public required string Device { get; init; }
    /// <summary>What the run trained in: fp32 or bf16 (absent in summaries written before precision existed: fp32).</summary>
    public string? Precision { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },   // "completed", as summaries have always said
    };

    public const string FileName = "summary.json";

    public static RunSummary? Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try { return StoredJson.Deserialize<RunSummary>(File.ReadAllText(path), Json); }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new Config.ConfigException($"damaged run summary ({e.Message})", path);
        }
    }

    /// <summary>The run's summary, or null when there is none or it does not read (a damaged file is no proof of a finished run).</summary>
    public static RunSummary? TryRead(string runFolder)
    {
        try { return Read(runFolder); }
        catch (Config.ConfigException) { return null; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public void Write(string runFolder) =>
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(this, Json));
}
