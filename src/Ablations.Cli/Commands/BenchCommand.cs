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
        var steps = new Option<int>("--steps") { Description = "timed steps per configuration (median reported)", DefaultValueFactory = _ => 10 };
        var warmup = new Option<int>("--warmup") { Description = "untimed warm-up steps", DefaultValueFactory = _ => 3 };
        var memorySteps = new Option<int>("--memory-steps") { Description = "steps of the resident-memory check", DefaultValueFactory = _ => 500 };
        var outDir = new Option<string>("--out") { Description = "where bench.csv and bench.json go", DefaultValueFactory = _ => Path.Combine("results", "bench") };
        AtLeast(steps, 1);
        AtLeast(warmup, 0);
        AtLeast(memorySteps, 0);
        var command = new Command("bench", "training speed, memory and MFU of a fixed matrix of configurations against a hand-written reference") { steps, warmup, memorySteps, outDir };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            var suite = new BenchmarkSuite { Steps = r.GetValue(steps), Warmup = r.GetValue(warmup), MemorySteps = r.GetValue(memorySteps), Log = Console.WriteLine };
            var report = suite.Run();
            var (results, ratios, gflops) = (report.Results, report.Ratios, report.Gflops);
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine();
            Console.WriteLine($"| configuration | parameters | batch x context | step (median) | tokens/s | peak memory | MFU (of {gflops:F1} GFLOP/s) |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            foreach (var b in results)
                Console.WriteLine(string.Create(inv, $"| {b.Name} | {Units.Count(b.Parameters)} | {b.BatchSize} x {b.Context} | {b.MedianStepMs:F1} ms | {b.TokensPerSecond:F0} | {b.PeakMemoryMb:F0} MB | {b.Mfu:P1} |"));
            Console.WriteLine();
            Console.WriteLine("| target | measured | bound | met |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var t in ratios)
                Console.WriteLine(string.Create(inv, $"| {t.Name} | {t.Value:F2} | {t.Target} | {(t.Met ? "yes" : "no")}{(t.Note.Length > 0 ? " (" + t.Note + ")" : "")} |"));
            var folder = r.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            using (var writer = new StreamWriter(Path.Combine(folder, "bench.csv")))
            using (var csv = new CsvWriter(writer, inv))
                csv.WriteRecords(results);
            File.WriteAllText(Path.Combine(folder, "bench.json"), JsonSerializer.Serialize(new
            {
                gflops, results, ratios, attention = report.Attention, decode = report.Decode,
                memory = report.Memory is { } m ? new
                {
                    m.Steps, m.StartMb, m.EndMb, m.MaxMb, m.StartLiveTensors, m.EndLiveTensors,
                    samples = m.Samples.Select(x => new { step = x.Step, mb = x.Mb }),
                } : null,
            },
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            Console.WriteLine($"\nwritten: {Path.Combine(folder, "bench.csv")}, {Path.Combine(folder, "bench.json")}");
            return CliRunner.Ok;
        }));
        return command;
    }

    static void AtLeast(Option<int> option, int minimum) => option.Validators.Add(result =>
    {
        var value = result.GetValueOrDefault<int>();
        if (value < minimum) result.AddError($"{option.Name} must be at least {minimum} (got {value})");
    });
}
