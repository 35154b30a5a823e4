using Ablations.Config;
using Ablations.Model.Attention;
using Ablations.Training;

namespace Ablations.Tests.Training;

/// <summary>Each data source trains: validation loss falls, and on Markov data it approaches the entropy rate.</summary>
public class LearningTests
{
    static (double First, double Last) ValidationLosses(RunConfig config)
    {
        var folder = TinyRuns.TempFolder("learn-");
        var trainer = new Trainer(config, folder) { BaseDirectory = folder };
        var summary = trainer.Run()!;
        Assert.Equal(RunStatus.Completed, summary.Status);
        var vals = MetricsFile.Read(Path.Combine(folder, "metrics.csv")).Where(r => r.ValLoss != null).Select(r => r.ValLoss!.Value).ToList();
        return (vals[0], vals[^1]);
    }

    [Fact]
    public void Validation_loss_falls_on_dotnet_docs()
    {
        var config = TinyRuns.Config(new DataConfig { Source = DataSource.DotnetDocs, MaxBytes = 2_000_000 }, steps: 40);
        var (first, last) = ValidationLosses(config with { Train = config.Train with { EvalEvery = 1 } });
        Assert.True(last < first - 1.0, $"{first} -> {last}");
        Assert.True(last < Math.Log(256) - 2, $"{last}");
    }

    [Fact]
    public void Validation_loss_falls_on_text_files()
    {
        var folder = TinyRuns.TempFolder("corpus-");
        var rng = new Random(1);
        var words = new[] { "the", "model", "attention", "norm", "layer", "token", "expert", "window", "cache", "loss" };
        for (int f = 0; f < 3; f++)
            File.WriteAllText(Path.Combine(folder, $"part{f}.txt"), string.Join("\n\n",
                Enumerable.Range(0, 300).Select(_ => string.Join(' ', Enumerable.Range(0, 12).Select(_ => words[rng.Next(words.Length)])) + ".")));
        var config = TinyRuns.Config(new DataConfig { Source = DataSource.Text, Paths = new[] { Path.Combine(folder, "*.txt") } }, steps: 40);
        var (first, last) = ValidationLosses(config with { Train = config.Train with { EvalEvery = 1 } });
        Assert.True(last < first - 1.0, $"{first} -> {last}");
    }

    [Fact]
    public void Markov_model_gets_within_five_hundredths_of_a_nat_of_the_entropy_rate()
    {
        // Order 1 over 8 symbols: only the first token of each 32-token window lacks its context, which costs
        // about (H(unigram) - H) / 32 ~ 0.02 nats above the entropy rate even for a perfect model.
        var data = new DataConfig { Source = DataSource.Markov, Markov = new MarkovConfig { Vocab = 8, Order = 1, Concentration = 0.3, Tokens = 200_000 } };
        var floor = new Ablations.Data.MarkovSource(data.Markov).EntropyRate;
        var config = TinyRuns.Config(data, steps: 300, vocab: 8);
        config = config with { Train = config.Train with { EvalEvery = 100, EvalBatches = 16, BatchSize = 16, Lr = 1e-2 } };
        var (first, last) = ValidationLosses(config);
        Assert.True(last < floor + 0.05, $"validation {last:F4} vs entropy rate {floor:F4} (start {first:F4})");
        Assert.True(last > floor - 0.05, $"validation {last:F4} is below the entropy rate {floor:F4}: the estimate or the split is wrong");
    }

    static RunSummary Train(RunConfig config)
    {
        var folder = TinyRuns.TempFolder("learn-");
        var summary = new Trainer(config, folder) { BaseDirectory = folder }.Run()!;
        Assert.Equal(RunStatus.Completed, summary.Status);
        return summary;
    }

    static RunConfig Copy(int? window)
    {
        // 17 distinct keys asked again 40 tokens later: two layers of window 8 reach 14 tokens back, not 40.
        var data = new DataConfig { Source = DataSource.Recall, Recall = new RecallConfig { Kind = RecallKind.Copy, Keys = 32, Pairs = 16, Distance = 40, Sequences = 4000 } };
        var config = TinyRuns.Config(data, steps: 300, vocab: 64);
        return config with
        {
            Model = window is int w ? config.Model with { Attention = ((GroupedAttentionConfig)config.Model.Attention) with { Window = w } } : config.Model,
            Train = config.Train with { Context = 64, BatchSize = 32, Lr = 3e-3, EvalEvery = 100 },
        };
    }

    [Fact]
    public void Global_attention_solves_recall_at_a_distance()
    {
        var summary = Train(Copy(window: null));
        Assert.True(summary.FinalValAccuracy >= 0.9, $"answer accuracy {summary.FinalValAccuracy:P1}, loss {summary.FinalValLoss:F3}");
    }

    [Fact]
    public void Windows_shorter_than_the_distance_stay_at_chance_on_recall()
    {
        var summary = Train(Copy(window: 8));
        Assert.True(summary.FinalValAccuracy < 3.0 / 32, $"answer accuracy {summary.FinalValAccuracy:P1} with windows that cannot reach the pairs (chance 1/32)");
        Assert.True(summary.FinalValLoss > Math.Log(32) - 0.1, $"loss {summary.FinalValLoss:F3} below guessing, ln 32 = {Math.Log(32):F3}");
    }
}
