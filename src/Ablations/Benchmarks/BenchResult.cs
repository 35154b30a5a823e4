namespace Ablations.Benchmarks;

/// <summary>
/// One benchmarked configuration: training speed, memory and model FLOP utilisation (against the measured matmul
/// peak of the precision it trains in).
/// </summary>
public sealed record BenchResult(
    string Name, string Description, long Parameters, long ActiveParameters, int BatchSize, int Context,
    double MedianStepMs, double TokensPerSecond, double PeakMemoryMb, double ModelFlopsPerStep, double Mfu, string Precision = "fp32");
