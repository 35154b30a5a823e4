using Ablations.Common;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ablations.Benchmarks;
using CsvHelper;

namespace Ablations.Cli.Commands;

/// <summary>`ablate bench`: the fixed speed matrix, as a table, CSV and JSON, with the issue's ratio targets.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var steps = NumberOption.Create("--steps", "timed steps per configuration (median reported)", 10, minimum: 1);
        var warmup = NumberOption.Create("--warmup", "untimed warm-up steps", 3, minimum: 0);
        var memorySteps = NumberOption.Create("--memory-steps", "steps of the resident-memory check", 500, minimum: 0);
        var bf16 = new Option<string>("--bf16")
        {
            Description = "time the bf16 rows: auto (where the CPU has amx_bf16 or avx512_bf16) | on | off",
            DefaultValueFactory = _ => "auto",
        };
        bf16.AcceptOnlyFromAmong("auto", "on", "off");
        var outDir = new Option<string>("--out") { Description = "where bench.csv and bench.json go", DefaultValueFactory = _ => Path.Combine("results", "bench") };
        var command = new Command("bench", "training speed, memory and MFU of a fixed matrix of configurations against a hand-written reference") { steps, warmup, memorySteps, bf16, outDir };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            var folder = OutputFolder.Check(r.GetValue(outDir)!, "--out");
            var suite = new BenchmarkSuite
            {
                Steps = r.GetValue(steps), Warmup = r.GetValue(warmup), MemorySteps = r.GetValue(memorySteps),
                Bf16 = r.GetValue(bf16) switch { "on" => true, "off" => false, _ => null }, Log = Console.WriteLine,
            };
            var report = suite.Run();
            var (results, ratios, gflops) = (report.Results, report.Ratios, report.Gflops);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine();
            Console.WriteLine($"| configuration | precision | parameters | batch x context | step (median) | tokens/s | peak memory | MFU (of {gflops:F1} GFLOP/s fp32, {report.Bf16Gflops:F1} bf16) |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var b in results)
                Console.WriteLine(string.Create(inv, $"| {b.Name} | {b.Precision} | {Units.Count(b.Parameters)} | {b.BatchSize} x {b.Context} | {b.MedianStepMs:F1} ms | {b.TokensPerSecond:F0} | {b.PeakMemoryMb:F0} MB | {b.Mfu:P1} |"));
            Console.WriteLine();
            Console.WriteLine("| target | measured | bound | met |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var t in ratios)
                Console.WriteLine(string.Create(inv,
                    $"| {t.Name} | {(t.Value is { } v ? v.ToString("F2", inv) : "-")} | {t.Target} | {t.Met switch { true => "yes", false => "no", null => "not measured" }}{(t.Note.Length > 0 ? " (" + t.Note + ")" : "")} |"));
            Directory.CreateDirectory(folder);
            using (var writer = new StreamWriter(Path.Combine(folder, "bench.csv")))
            using (var csv = new CsvWriter(writer, inv))
                csv.WriteRecords(results);
            File.WriteAllText(Path.Combine(folder, "bench.json"), JsonSerializer.Serialize(new
            {
                gflops, bf16_gflops = report.Bf16Gflops, results, ratios, attention = report.Attention, decode = report.Decode,
                memory = Trace(report.Memory), bf16_memory = Trace(report.Bf16Memory),
            },
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            Console.WriteLine($"\nwritten: {Path.Combine(folder, "bench.csv")}, {Path.Combine(folder, "bench.json")}");
            return CliRunner.Ok;
        }));
        return command;
    }

    static object? Trace(MemoryTrace? m) => m is null ? null : new
    {
        m.Steps, m.StartMb, m.EndMb, m.MaxMb, m.StartLiveTensors, m.EndLiveTensors,
        samples = m.Samples.Select(x => new { step = x.Step, mb = x.Mb }),
    };
}
