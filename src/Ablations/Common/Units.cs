using System.Globalization;

namespace Ablations.Common;

/// <summary>Human-readable counts (671.03B), bytes (1.50 GiB) and FLOPs (74.1 GFLOP), invariant culture; counted nouns and ranges in prose.</summary>
public static class Units
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Count(double n) => Math.Abs(n) switch
    {
        >= 1e12 => (n / 1e12).ToString("0.00", Inv) + "T",
        >= 1e9 => (n / 1e9).ToString("0.00", Inv) + "B",
        >= 1e6 => (n / 1e6).ToString("0.00", Inv) + "M",
        >= 1e4 => (n / 1e3).ToString("0.0", Inv) + "K",
        _ => n.ToString("0", Inv),
    };

    public static string Bytes(double b) => Math.Abs(b) switch
    {
        >= 1L << 40 => (b / (1L << 40)).ToString("0.00", Inv) + " TiB",
        >= 1L << 30 => (b / (1L << 30)).ToString("0.00", Inv) + " GiB",
        >= 1L << 20 => (b / (1L << 20)).ToString("0.00", Inv) + " MiB",
        >= 1L << 10 => (b / (1L << 10)).ToString("0.0", Inv) + " KiB",
        _ => b.ToString("0", Inv) + " B",
    };

    public static string Flops(double f) => Math.Abs(f) switch
    {
        >= 1e12 => (f / 1e12).ToString("0.00", Inv) + " TFLOP",
        >= 1e9 => (f / 1e9).ToString("0.00", Inv) + " GFLOP",
        >= 1e6 => (f / 1e6).ToString("0.00", Inv) + " MFLOP",
        _ => f.ToString("0", Inv) + " FLOP",
    };

    /// <summary>"1 claim", "21 claims": a count with its noun in the right number.</summary>
    public static string Counted(long n, string singular, string? plural = null) =>
        $"{n.ToString(Inv)} {(n == 1 ? singular : plural ?? singular + "s")}";

    /// <summary>"a to b", or "a" alone where both ends read the same.</summary>
    public static string Range(string low, string high) => low == high ? low : $"{low} to {high}";
}
