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
            Steps = steps, BatchSize = 8, Context = 32, Lr = 1e-2, WarmupSteps = 5, EvalEvery = steps / 2, EvalBatches = 4, FinalEvalBatches = 8,
            LogEvery = 5, CheckpointEvery = 4, Seed = 3, Threads = 1,
        },
    };

    public static RunConfig Markov(int steps = 40) =>
        Config(new DataConfig { Source = DataSource.Markov, Markov = new MarkovConfig { Vocab = 8, Order = 1, Tokens = 50_000 } }, steps, vocab: 8);

    public static string TempFolder(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;
}
