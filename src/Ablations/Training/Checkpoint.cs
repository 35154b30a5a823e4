using System.Text.Json;
using Ablations.Model;
using TorchSharp.Modules;

namespace Ablations.Training;

/// <summary>
/// checkpoint/: model weights and buffers, optimiser state and trainer state. Written to checkpoint.tmp and
/// swapped in with renames, so at any moment either the old or the new checkpoint is whole on disk.
/// </summary>
public static class Checkpoint
{
    const string ModelFile = "model.bin", OptimizerFile = "optimizer.bin", StateFile = "state.json";

    public static string Folder(string runFolder) => Path.Combine(runFolder, "checkpoint");

    public static void Save(string runFolder, Decoder model, AdamW optimizer, TrainerState state)
    {
        var final = Folder(runFolder);
        var temp = final + ".tmp";
        var old = final + ".old";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        model.save(Path.Combine(temp, ModelFile));
        optimizer.save_state_dict(Path.Combine(temp, OptimizerFile));
        File.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state));
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(final)) Directory.Move(final, old);
        Directory.Move(temp, final);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>The trainer state of the run folder's checkpoint, or null when there is none.</summary>
    public static TrainerState? ReadState(string runFolder)
    {
        Recover(runFolder);
        var path = Path.Combine(Folder(runFolder), StateFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(path)) : null;
    }

    /// <summary>Loads weights (and the optimiser state, when given) from the run folder's checkpoint.</summary>
    public static TrainerState Load(string runFolder, Decoder model, AdamW? optimizer)
    {
        var state = ReadState(runFolder) ?? throw new FileNotFoundException($"no checkpoint in {runFolder}");
        var folder = Folder(runFolder);
        model.load(Path.Combine(folder, ModelFile), strict: true);
        optimizer?.load_state_dict(Path.Combine(folder, OptimizerFile));
        return state;
    }

    /// <summary>A crash between the two renames leaves only checkpoint.old: put it back.</summary>
    static void Recover(string runFolder)
    {
        var final = Folder(runFolder);
        var old = final + ".old";
        if (!Directory.Exists(final) && Directory.Exists(old)) Directory.Move(old, final);
    }
}
