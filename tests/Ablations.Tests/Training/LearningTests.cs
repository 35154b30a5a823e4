using Ablations.Config;
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

    [Fact]
    public void Validation_loss_falls_on_recall()
    {
        // Below ln(values), the loss of guessing, the model must be reading the pairs back.
        var data = new DataConfig { Source = DataSource.Recall, Recall = new RecallConfig { Keys = 8, Values = 8, Pairs = 4, Queries = 2, Distance = 16, Sequences = 4000 } };
        var config = TinyRuns.Config(data, steps: 250, vocab: 64);
        var (first, last) = ValidationLosses(config with { Train = config.Train with { EvalEvery = 50, BatchSize = 32 } });
        Assert.True(last < first - 0.3, $"{first} -> {last}");
        Assert.True(last < Math.Log(8) - 0.25, $"validation {last:F4} is not below guessing, ln 8 = {Math.Log(8):F4}");
    }
}
