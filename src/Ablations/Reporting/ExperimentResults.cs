using System.Text.Json;
using Ablations.Config;
using Ablations.Experiments;
using Ablations.Training;

namespace Ablations.Reporting;

/// <summary>An experiment folder read back: its manifest and every run folder it lists (reading only files).</summary>
public sealed class ExperimentResults
{
    public required string Folder { get; init; }
    public required ExperimentManifest Manifest { get; init; }
    public required IReadOnlyList<RunResult> Runs { get; init; }

    /// <summary>latency.json, when the experiment measured decode speed after training.</summary>
    public LatencyRecord? Latency { get; init; }

    /// <summary>Runs left out because a file of theirs is damaged, each with the file and why.</summary>
    public IReadOnlyList<string> Skipped { get; init; } = Array.Empty<string>();

    /// <param name="warn">Told of every damaged run folder left out and every garbled metrics row skipped.</param>
    public static ExperimentResults Load(string folder, Action<string>? warn = null)
    {
        folder = Path.GetFullPath(folder);
        var manifest = ExperimentManifest.Read(folder)
            ?? throw new ConfigException($"not an experiment folder: {ExperimentManifest.FileName} is missing (made by `ablate run`)", folder);
        var runs = new List<RunResult>();
        var skipped = new List<string>();
        foreach (var r in manifest.Runs)
        {
            var path = Path.Combine(folder, r.Folder);
            var run = new RunFolder(path);
            if (!File.Exists(run.ConfigFile))
            {
                // Not started yet; but a folder with results and no config cannot be scored: say so rather than drop it.
                if (run.HoldsWork)
                {
                    skipped.Add($"{run.ConfigFile}: missing beside the run's results (metrics, checkpoint or summary); this run is left out");
                    warn?.Invoke(skipped[^1]);
                }
                continue;
            }
            try
            {
                var metrics = File.Exists(run.MetricsFile) ? MetricsFile.Read(run.MetricsFile, warn) : new List<MetricsRow>();
                runs.Add(new RunResult(r.Variant, r.SweepPoint, r.SweepValues, r.Seed, path, run.ReadConfig(), RunSummary.Read(path), metrics));
            }
            catch (ConfigException e)
            {
                // A damaged file (a truncated summary.json, a garbled config.yaml) costs that run, not the report.
                var reason = $"{e.Message}; this run is left out";
                skipped.Add(reason);
                warn?.Invoke(reason);
            }
        }
        LatencyRecord? latency = null;
        try { latency = LatencyRecord.Read(folder); }
        catch (ConfigException e)
        {
            skipped.Add($"{e.Message}; the latency table is left out");
            warn?.Invoke(skipped[^1]);
        }
        return new ExperimentResults { Folder = folder, Manifest = manifest, Runs = runs, Skipped = skipped, Latency = latency };
    }

    /// <summary>(variant, sweep point) groups in manifest order, each with its runs over seeds.</summary>
    public IEnumerable<(string Variant, string SweepPoint, IReadOnlyList<RunResult> Runs)> Groups() =>
        Runs.GroupBy(r => (r.Variant, r.SweepPoint))
            .OrderBy(g => Manifest.Variants.ToList().IndexOf(g.Key.Variant))
            .ThenBy(g => g.First().SweepValues, Comparer<IReadOnlyDictionary<string, string>>.Create(CompareSweep))
            .ThenBy(g => g.Key.SweepPoint, StringComparer.Ordinal)
            .Select(g => (g.Key.Variant, g.Key.SweepPoint, (IReadOnlyList<RunResult>)g.OrderBy(r => r.Seed).ToList()));

    /// <summary>
    /// Sweep points sort axis by axis in the manifest's order, by number where both values are numbers
    /// (lr=0.001 before lr=0.01), else as text: source=dotnet_docs's grid, then source=recall's.
    /// </summary>
    int CompareSweep(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
    {
        foreach (var key in Manifest.SweepKeys)
        {
            var (x, y) = (a.GetValueOrDefault(key, ""), b.GetValueOrDefault(key, ""));
            var c = Number(x) is { } nx && Number(y) is { } ny ? nx.CompareTo(ny) : string.CompareOrdinal(x, y);
            if (c != 0) return c;
        }
        return 0;
    }

    static double? Number(string s) =>
        double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
}
