using Ablations.Common;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ablations.Experiments;

/// <summary>
/// experiment.json in the experiment folder: which runs make up the experiment and in what order, so reports
/// can be rebuilt from the folder alone (on another machine, too).
/// </summary>
public sealed record ExperimentManifest
{
    public required string Name { get; init; }
    public required string File { get; init; }
    public string Description { get; init; } = "";
    public string? Scale { get; init; }
    public required string Baseline { get; init; }
    public required IReadOnlyList<string> Variants { get; init; }
    public required IReadOnlyList<string> SweepKeys { get; init; }
    public required IReadOnlyList<int> Seeds { get; init; }
    public required IReadOnlyList<ManifestRun> Runs { get; init; }
    public IReadOnlyList<ClaimEntry> Claims { get; init; } = Array.Empty<ClaimEntry>();
    /// <summary>
    /// With tune: the tuned key, and each variant's chosen grid point (its label, e.g. lr=0.003), per point of the
    /// other sweep axes (keys from <see cref="TuneGroups.Key"/>: the variant's name alone without other axes).
    /// </summary>
    public string? TuneKey { get; init; }
    public IReadOnlyDictionary<string, string> Best { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// With tune: the chosen point (the full label) of a variant at a sweep point, given either with or without the
    /// tuned key (lr=0.01,source=recall or source=recall); null when not tuned or not chosen yet.
    /// </summary>
    public string? BestOf(string variant, string point) =>
        TuneKey == null ? null : Best.GetValueOrDefault(TuneGroups.Key(variant, TuneGroups.Fixed(point, TuneKey)));

    /// <summary>The point of the sweep's other axes that a run's label belongs to ("" without them).</summary>
    public string FixedPoint(string point) => TuneKey == null ? point : TuneGroups.Fixed(point, TuneKey);
    public IReadOnlyList<FigureName> ReportFigures { get; init; } = Array.Empty<FigureName>();

    public const string FileName = "experiment.json";

    // Enums as their YAML spelling (val_loss, lower, loss_val), so the file reads like the experiment file.
    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static ExperimentManifest? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!System.IO.File.Exists(path)) return null;
        ExperimentManifest manifest;
        try { manifest = StoredJson.Deserialize<ExperimentManifest>(System.IO.File.ReadAllText(path), Json); }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            throw new Config.ConfigException($"damaged experiment manifest ({e.Message})", path);
        }
        // The run folders it lists are read and written below this folder: each must stay there.
        foreach (var run in manifest.Runs)
            if (Path.IsPathRooted(run.Folder) || run.Folder.Split('/', '\\').Any(s => FolderName.Problem(s) != null))
                throw new Config.ConfigException($"damaged experiment manifest (run folder '{run.Folder}' is not a path of plain folder names below the experiment)", path);
        return manifest;
    }

    public void Write(string folder) => AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    public static ExperimentManifest From(ExperimentSpec spec, string? scale, IReadOnlyList<RunSpec> runs) => new()
    {
        Name = spec.Name,
        File = spec.File,
        Description = spec.Description,
        Scale = scale ?? spec.DefaultScale,
        Baseline = spec.Baseline,
        Variants = spec.Variants.Select(v => v.Name).Where(n => runs.Any(r => r.Variant == n)).ToList(),
        SweepKeys = spec.Tune != null ? spec.Sweep.Keys.Append(spec.Tune.Key).ToList() : spec.Sweep.Keys.ToList(),
        TuneKey = spec.Tune?.Key,
        Seeds = spec.Seeds,
        Runs = runs.Select(r => new ManifestRun(r.Variant, r.SweepPoint, r.SweepValues.ToDictionary(), r.Seed, r.Folder)).ToList(),
        Claims = spec.Claims,
        ReportFigures = spec.ReportFigures,
    };
}

public sealed record ManifestRun(string Variant, string SweepPoint, Dictionary<string, string> SweepValues, int Seed, string Folder);
