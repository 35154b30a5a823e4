using System.Security.Cryptography;
using System.Text.Json;
using Ablations.Config;
using Ablations.Model;
using TorchSharp.Modules;

namespace Ablations.Training;

/// <summary>
/// checkpoint/: model weights and buffers, optimiser state, trainer state and a manifest of their sizes and SHA-256
/// sums, written last, so a checkpoint is whole only when its manifest says so. A new checkpoint is written to
/// checkpoint.tmp and swapped in with renames; the one it replaces stays as checkpoint.prev. Loading verifies every
/// file; a checkpoint that fails is never used: the previous one is, with a warning, or the run is refused with
/// the reason and the file named. A run is resumed exactly or not at all.
/// </summary>
public static class Checkpoint
{
    const string ModelFile = "model.bin", OptimizerFile = "optimizer.bin", StateFile = "state.json", ManifestFile = "manifest.json";
    /// <summary>A copy of metrics.csv as it stood at the save, so rows lost from the run's own file can be restored.</summary>
    const string MetricsCopy = "metrics.csv";
    static readonly string[] Files = { ModelFile, OptimizerFile, StateFile };

    public static string Folder(string runFolder) => Path.Combine(runFolder, "checkpoint");
    static string Previous(string runFolder) => Path.Combine(runFolder, "checkpoint.prev");
    static string Temp(string runFolder) => Path.Combine(runFolder, "checkpoint.tmp");

    /// <summary>The state holds NaN and infinity before the first step (no loss seen yet).</summary>
    static readonly JsonSerializerOptions StateJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    sealed record Manifest(Dictionary<string, FileDigest> Files, int Step);
    sealed record FileDigest(long Bytes, string Sha256);

    public static void Save(string runFolder, Decoder model, AdamW optimizer, TrainerState state)
    {
        var (final, temp, previous) = (Folder(runFolder), Temp(runFolder), Previous(runFolder));
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        model.save(Path.Combine(temp, ModelFile));
        optimizer.save_state_dict(Path.Combine(temp, OptimizerFile));
        File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, StateJson));
        var metrics = Path.Combine(runFolder, MetricsCopy);
        var saved = File.Exists(metrics) ? Files.Append(MetricsCopy) : Files;
        if (File.Exists(metrics)) File.Copy(metrics, Path.Combine(temp, MetricsCopy));
        var manifest = new Manifest(saved.ToDictionary(f => f, f => Digest(Path.Combine(temp, f))), state.Step);
        File.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(manifest));
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        if (Directory.Exists(final)) Directory.Move(final, previous);
        Directory.Move(temp, final);
    }

    /// <summary>
    /// The trainer state of the checkpoint a resume would use (checkpoint/, else checkpoint.prev/), or null when the
    /// run has none. Throws a <see cref="ConfigException"/> naming the damaged file when checkpoints exist but none verifies.
    /// </summary>
    public static TrainerState? ReadState(string runFolder, Action<string>? warn = null) => Find(runFolder, warn)?.State;

    /// <summary>Loads weights (and the optimiser state, when given) from the checkpoint that verifies; null when there is none.</summary>
    public static TrainerState? Load(string runFolder, Decoder model, AdamW? optimizer, Action<string>? warn = null)
    {
        if (Find(runFolder, warn) is not var (folder, state)) return null;
        var file = Path.Combine(folder, ModelFile);
        try
        {
            model.load(file, strict: true);
            model.WeightsChanged();
            file = Path.Combine(folder, OptimizerFile);
            optimizer?.load_state_dict(file);
        }
        catch (Exception e) when (e is not ConfigException)
        {
            throw new ConfigException($"does not fit the model of config.yaml ({e.Message}); it was written by another configuration", file);
        }
        return state;
    }

    /// <summary>
    /// The metrics rows saved with the checkpoint a resume uses, up to its step; null when that checkpoint holds no
    /// copy (written before copies were kept) or there is none.
    /// </summary>
    public static List<MetricsRow>? SavedMetrics(string runFolder)
    {
        if (Find(runFolder, null) is not var (folder, state)) return null;
        var copy = Path.Combine(folder, MetricsCopy);
        return File.Exists(copy) ? MetricsFile.Read(copy).Where(r => r.Step <= state.Step).ToList() : null;
    }

    /// <summary>Whether the run folder holds any checkpoint, whole or not.</summary>
    public static bool Exists(string runFolder) =>
        Directory.Exists(Folder(runFolder)) || Directory.Exists(Previous(runFolder)) || Directory.Exists(Temp(runFolder));

    static (string Folder, TrainerState State)? Find(string runFolder, Action<string>? warn)
    {
        Recover(runFolder);
        var failures = new List<(string File, string Reason)>();
        foreach (var folder in new[] { Folder(runFolder), Previous(runFolder) })
        {
            if (!Directory.Exists(folder)) continue;
            if (Verify(folder) is { } failure) { failures.Add(failure); continue; }
            var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(folder, StateFile)), StateJson)!;
            foreach (var (file, reason) in failures)
                warn?.Invoke($"{file}: {reason}; resuming from the previous checkpoint, after step {state.Step}, instead");
            return (folder, state);
        }
        if (failures.Count == 0) return null;
        throw new ConfigException(
            $"{failures[0].Reason}{(failures.Count > 1 ? $"; the previous checkpoint too ({failures[1].File}: {failures[1].Reason})" : "")}. " +
            "No checkpoint of this run verifies, so it cannot be resumed exactly: run it again with --force to start over",
            failures[0].File);
    }

    /// <summary>Null when every file the manifest lists is there with its size and SHA-256; else the first file that is not, and why.</summary>
    static (string File, string Reason)? Verify(string folder)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath)) return (manifestPath, "missing: the checkpoint was not written whole");
        Manifest? manifest;
        try { manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath)); }
        catch (JsonException) { manifest = null; }
        if (manifest?.Files is null || Files.Any(f => !manifest.Files.ContainsKey(f))) return (manifestPath, "unreadable or incomplete");
        foreach (var (name, expected) in manifest.Files)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) return (path, "missing");
            var actual = Digest(path);
            if (actual.Bytes != expected.Bytes) return (path, $"{actual.Bytes} bytes where the checkpoint wrote {expected.Bytes} (truncated or overwritten)");
            if (actual.Sha256 != expected.Sha256) return (path, "its SHA-256 differs from the one written with it (the file is damaged)");
        }
        return null;
    }

    static FileDigest Digest(string path)
    {
        using var stream = File.OpenRead(path);
        var hash = SHA256.HashData(stream);
        return new FileDigest(stream.Length, Convert.ToHexString(hash).ToLowerInvariant());
    }

    /// <summary>
    /// A crash between the two renames leaves checkpoint.tmp whole (its manifest verifies) and no checkpoint/: put it
    /// in place. Any other checkpoint.tmp is a save that never finished, and goes.
    /// </summary>
    static void Recover(string runFolder)
    {
        var (final, temp) = (Folder(runFolder), Temp(runFolder));
        if (!Directory.Exists(temp)) return;
        if (!Directory.Exists(final) && Verify(temp) is null) Directory.Move(temp, final);
        else Directory.Delete(temp, recursive: true);
    }
}
