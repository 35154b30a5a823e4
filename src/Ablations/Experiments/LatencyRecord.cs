using System.Text.Json;
using Ablations.Benchmarks;
using Ablations.Common;

namespace Ablations.Experiments;

/// <summary>latency.json in an experiment folder: what <see cref="LatencyEntry"/> measured, and on what.</summary>
public sealed record LatencyRecord
{
    public required int Context { get; init; }
    public required int Tokens { get; init; }
    public required int Threads { get; init; }
    public required string Device { get; init; }
    /// <summary>The sweep point measured ("" without a sweep).</summary>
    public string At { get; init; } = "";
    public required IReadOnlyList<DecodeLatencyResult> Results { get; init; }

    public const string FileName = "latency.json";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static LatencyRecord? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try { return Common.StoredJson.Deserialize<LatencyRecord>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new Config.ConfigException($"damaged latency record ({e.Message})", path); }
    }

    public void Write(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    /// <summary>Whether this record measured what <paramref name="entry"/> asks, so a rerun need not measure again.</summary>
    public bool Answers(LatencyEntry entry, IReadOnlyList<string> variants) =>
        Context == entry.Context && Tokens == entry.Tokens && At == entry.At && Results.Select(r => r.Variant).SequenceEqual(variants);
}
