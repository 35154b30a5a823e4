using System.Globalization;
using System.Text;
using Ablations.Common;
using Ablations.Experiments;

namespace Ablations.Reporting;

/// <summary>The latency point of an experiment (latency.json) as a short table: decode speed and the cache held per variant.</summary>
public static class LatencyTable
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Format(LatencyRecord record, string baseline)
    {
        var sb = new StringBuilder();
        var reference = record.Results.FirstOrDefault(r => r.Variant == baseline) ?? record.Results[0];
        sb.AppendLine($"Decoding with the cache filled to {record.Context:N0} positions{(record.At.Length > 0 ? $" ({record.At})" : "")}: batch 1, median of {record.Tokens} steps " +
                      $"taken in turn across the variants, {Units.Counted(record.Threads, "thread")} on {record.Device}, measured once after training; the cache as held " +
                      "(fp32 here; a windowed layer keeps only its window).");
        sb.AppendLine();
        sb.AppendLine($"| variant | decode tokens/s | vs {reference.Variant} | KV cache held | vs {reference.Variant} |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var r in record.Results)
            sb.AppendLine($"| {r.Variant} | {r.TokensPerSecond.ToString("F1", Inv)} | {(r.TokensPerSecond / reference.TokensPerSecond).ToString("0.00", Inv)}x | " +
                          $"{Units.Bytes(r.KvBytes)} | {((double)r.KvBytes / reference.KvBytes).ToString("0.000", Inv)}x |");
        sb.AppendLine();
        return sb.ToString();
    }
}
