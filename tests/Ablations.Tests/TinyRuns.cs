using Ablations.Config;
using Ablations.Training;
using Ablations.Model.FeedForward;
using Ablations.Model.Attention;
using Ablations.Model;

namespace Ablations.Tests;

/// <summary>Run configurations small enough to train for a few dozen steps in seconds.</summary>
public static class TinyRuns
{
    public static RunConfig Config(DataConfig data, int steps = 40, int vocab = 256) => new()
    {
        Model = new ModelConfig
        {
            VocabSize = vocab, DModel = 48, NLayers = 2, ContextLength = 64,
            Attention = new GroupedAttentionConfig { Kind = AttentionKind.Gqa, NHeads = 4, NKvHeads = 2 },
            FeedForward = new GatedFeedForwardConfig { Kind = FeedForwardKind.Swiglu, Hidden = 96 },
        },
        Data = data,
        Train = new TrainConfig
        {
            Steps = steps, BatchSize = 8, Context = 32, Lr = 1e-2, WarmupSteps = Math.Min(5, steps), EvalEvery = steps / 2, EvalBatches = 4, FinalEvalBatches = 8,
            LogEvery = 5, CheckpointEvery = 4, Seed = 3, Threads = 1,
        },
    };

    public static RunConfig Markov(int steps = 40) =>
        Config(new DataConfig { Source = DataSource.Markov, Markov = new MarkovConfig { Vocab = 8, Order = 1, Tokens = 50_000 } }, steps, vocab: 8);

    /// <summary>
    /// A new folder for one test, inside one folder for the whole test process: runs, checkpoints and token caches
    /// of a full suite are gigabytes, and suites must not pile them up. The process folder is named for its process
    /// and removed when the process exits; the test host is often ended without that, so a new process also removes
    /// the folders of test processes that no longer run.
    /// </summary>
    public static string TempFolder(string prefix)
    {
        var folder = Path.Combine(ProcessRoot.Value, prefix + Path.GetRandomFileName());
        Directory.CreateDirectory(folder);
        return folder;
    }

    const string RootPrefix = "ablations-tests-";

    static readonly Lazy<string> ProcessRoot = new(() =>
    {
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), RootPrefix + "*"))
            if (OperatingSystem.IsLinux() && int.TryParse(Path.GetFileName(stale)[RootPrefix.Length..].Split('-')[0], out var pid) && !Directory.Exists($"/proc/{pid}"))
                Remove(stale);
        var root = Directory.CreateTempSubdirectory($"{RootPrefix}{Environment.ProcessId}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Remove(root);
        return root;
    });

    static void Remove(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Console.Error.WriteLine($"could not remove {folder}: {e.Message}"); }
    }
}
