using Ablations.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace Ablations.Reporting;

public enum TableFormat { Md, Csv, Latex, Json }

/// <summary>Writes an experiment's table as Markdown, CSV, LaTeX or JSON; every format carries the same numbers.</summary>
public static class TableFormatter
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Format(IReadOnlyList<TableRow> rows, TableFormat format) => format switch
    {
        TableFormat.Md => Markdown(rows),
        TableFormat.Csv => Csv(rows),
        TableFormat.Latex => Latex(rows),
        _ => Json(rows),
    };

    static bool HasSweep(IReadOnlyList<TableRow> rows) => rows.Any(r => r.SweepPoint.Length > 0);
    static bool HasMoe(IReadOnlyList<TableRow> rows) => rows.Any(r => r.ExpertLoadMax != null);
    static bool Tuned(IReadOnlyList<TableRow> rows) => rows.Any(r => r.IsBest);
    static bool HasAccuracy(IReadOnlyList<TableRow> rows) => rows.Any(r => r.Accuracy != null);
    static bool HasBf16(IReadOnlyList<TableRow> rows) => rows.Any(r => r.Precision != "fp32");

    static string[] Header(IReadOnlyList<TableRow> rows) =>
        new[] { "variant" }.Concat(HasSweep(rows) ? new[] { "sweep" } : Array.Empty<string>())
            .Concat(new[]
            {
                "params total", "params active", "KV/token (bf16)", "FLOPs/token", "tokens/param", "val loss (mean ± std)", "95% CI", "perplexity",
                "Δ loss vs baseline", "p", "tokens/s", "max grad norm", "loss spikes", "max attn logit", "runs (diverged)",
            })
            .Concat(HasBf16(rows) ? new[] { "precision" } : Array.Empty<string>())
            .Concat(HasAccuracy(rows) ? new[] { "answer accuracy" } : Array.Empty<string>())
            .Concat(HasMoe(rows) ? new[] { "expert load min / max" } : Array.Empty<string>())
            .Concat(Tuned(rows) ? new[] { "lr sensitivity" } : Array.Empty<string>()).ToArray();

    static string[] Cells(TableRow r, bool sweep, bool precision, bool accuracy, bool moe, bool tuned) => Cells(r, sweep)
        .Concat(precision ? new[] { r.Precision } : Array.Empty<string>())
        .Concat(accuracy ? new[] { r.Accuracy is { } a ? (a.Mean * 100).ToString("F1", Inv) + "%" + (a.Std is double asd ? $" ± {(asd * 100).ToString("F1", Inv)}" : "") : "—" } : Array.Empty<string>())
        .Concat(moe ? new[] { r.ExpertLoadMax is double hi ? $"{(r.ExpertLoadMin!.Value * 100).ToString("0", Inv)}% / {(hi * 100).ToString("0", Inv)}%" : "—" } : Array.Empty<string>())
        .Concat(tuned ? new[] { r.LrSensitivity is { } s ? s.Mean.ToString("F3", Inv) + (s.Std is double sd ? $" ± {sd.ToString("F3", Inv)}" : "") : "—" } : Array.Empty<string>())
        .ToArray();

    static string[] Cells(TableRow r, bool sweep) =>
        new[] { r.Variant + (r.IsBaseline ? " (baseline)" : "") }
            .Concat(sweep ? new[] { r.SweepPoint + (r.IsBest ? " (best)" : "") } : Array.Empty<string>())
            .Concat(new[]
            {
                Units.Count(r.ParametersTotal), Units.Count(r.ParametersActive), Units.Bytes(r.KvBytesPerToken), Units.Flops(r.FlopsPerToken),
                r.TokensPerParameter.ToString(r.TokensPerParameter >= 10 ? "F0" : "F1", Inv),
                r.ValLoss is { } v ? (v.Std is double s ? $"{v.Mean.ToString("F4", Inv)} ± {s.ToString("F4", Inv)}" : v.Mean.ToString("F4", Inv)) : "—",
                r.ValLoss?.Ci95Low is double lo ? $"[{lo.ToString("F4", Inv)}, {r.ValLoss.Ci95High!.Value.ToString("F4", Inv)}]" : "—",
                r.Perplexity is { } p ? (p.Std is double ps ? $"{p.Mean.ToString("F2", Inv)} ± {ps.ToString("F2", Inv)}" : p.Mean.ToString("F2", Inv)) : "—",
                r.IsBaseline ? "—" : r.DeltaVsBaseline is double d ? d.ToString("+0.0000;-0.0000", Inv) : "—",
                r.IsBaseline ? "—" : r.PValue is null ? "—" : $"{PValue(r.PValue)} ({r.Test})",
                r.TokensPerSecond.ToString("F0", Inv),
                r.MaxGradNorm.ToString("F2", Inv),
                r.LossSpikes.ToString(Inv),
                r.MaxAttentionLogit is double m ? m.ToString("F1", Inv) : "—",
                $"{r.Completed + r.Diverged}/{r.Runs}" + (r.Diverged > 0 ? $" ({r.Diverged} diverged, {(double)r.Diverged / r.Runs:P0})" : ""),
            }).ToArray();

    public static string PValue(double? p) => p switch
    {
        null => "—",
        < 0.001 => "<0.001",
        _ => p.Value.ToString("0.000", Inv),
    };

    static string Markdown(IReadOnlyList<TableRow> rows)
    {
        var header = Header(rows);
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var r in rows) sb.AppendLine("| " + string.Join(" | ", Cells(r, HasSweep(rows), HasBf16(rows), HasAccuracy(rows), HasMoe(rows), Tuned(rows))) + " |");
        return sb.ToString();
    }

    static string Latex(IReadOnlyList<TableRow> rows)
    {
        static string Escape(string s) => s.Replace("\\", "\\textbackslash{}").Replace("&", "\\&").Replace("%", "\\%").Replace("_", "\\_")
            .Replace("#", "\\#").Replace("±", "$\\pm$").Replace("Δ", "$\\Delta$").Replace("—", "--").Replace("<", "$<$");
        var header = Header(rows);
        var sb = new StringBuilder();
        sb.AppendLine("\\begin{tabular}{" + new string('l', HasSweep(rows) ? 2 : 1) + new string('r', header.Length - (HasSweep(rows) ? 2 : 1)) + "}");
        sb.AppendLine("\\hline");
        sb.AppendLine(string.Join(" & ", header.Select(Escape)) + " \\\\");
        sb.AppendLine("\\hline");
        foreach (var r in rows) sb.AppendLine(string.Join(" & ", Cells(r, HasSweep(rows), HasBf16(rows), HasAccuracy(rows), HasMoe(rows), Tuned(rows)).Select(Escape)) + " \\\\");
        sb.AppendLine("\\hline");
        sb.AppendLine("\\end{tabular}");
        return sb.ToString();
    }

    /// <summary>Machine-readable numbers, unrounded.</summary>
    static string Csv(IReadOnlyList<TableRow> rows)
    {
        using var writer = new StringWriter(Inv);
        using var csv = new CsvWriter(writer, Inv);
        foreach (var h in new[] { "variant", "sweep", "baseline", "runs", "completed", "diverged", "params_total", "params_active", "kv_bytes_per_token_bf16", "flops_per_token", "tokens_per_param",
                     "val_loss_mean", "val_loss_std", "val_loss_ci95_low", "val_loss_ci95_high", "accuracy_mean", "accuracy_std", "ppl_mean", "ppl_std", "bpb_mean",
                     "delta_vs_baseline", "p_value", "test", "best", "lr_sensitivity_mean", "lr_sensitivity_std", "tokens_per_s", "precision", "max_grad_norm", "loss_spikes", "max_attn_logit", "expert_load_min", "expert_load_max", "seed_losses" })
            csv.WriteField(h);
        csv.NextRecord();
        foreach (var r in rows)
        {
            foreach (var f in new object?[] { r.Variant, r.SweepPoint, r.IsBaseline, r.Runs, r.Completed, r.Diverged, r.ParametersTotal, r.ParametersActive,
                         r.KvBytesPerToken, r.FlopsPerToken, r.TokensPerParameter, r.ValLoss?.Mean, r.ValLoss?.Std, r.ValLoss?.Ci95Low, r.ValLoss?.Ci95High, r.Accuracy?.Mean, r.Accuracy?.Std, r.Perplexity?.Mean, r.Perplexity?.Std,
                         r.BitsPerByte?.Mean, r.DeltaVsBaseline, r.PValue, r.Test, r.IsBest, r.LrSensitivity?.Mean, r.LrSensitivity?.Std, r.TokensPerSecond, r.Precision, r.MaxGradNorm, r.LossSpikes, r.MaxAttentionLogit, r.ExpertLoadMin, r.ExpertLoadMax,
                         string.Join(";", r.SeedLosses.Select(x => x.ToString("R", Inv))) })
                csv.WriteField(f switch { double d => d.ToString("R", Inv), null => "", _ => Convert.ToString(f, Inv) });
            csv.NextRecord();
        }
        csv.Flush();
        return writer.ToString();
    }

    static string Json(IReadOnlyList<TableRow> rows) =>
        JsonSerializer.Serialize(rows, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        });
}
