using Ablations.Config;
using Ablations.Data;
using Ablations.Training;
using Ablations.Model.FeedForward;

namespace Ablations.Tests.Training;

public class TrainerTests
{
    sealed class StopAt : ITrainingObserver
    {
        readonly int _step;
        readonly CancellationTokenSource? _cancel;
        public StopAt(int step, CancellationTokenSource? cancel = null) { _step = step; _cancel = cancel; }
        public void OnStart(int firstStep, int totalSteps, string description) { }
        public void OnMessage(string message) { }
        public void OnStep(MetricsRow row, int totalSteps)
        {
            if (row.Step != _step) return;
            if (_cancel != null) _cancel.Cancel();
            else throw new OperationCanceledException("simulated kill");   // no checkpoint: like a killed process
        }
    }

    static string Losses(string folder) =>
        string.Join("\n", MetricsFile.Read(Path.Combine(folder, "metrics.csv"))
            .Select(r => $"{r.Step} {r.TrainLoss:R} {r.GradNorm:R} {r.ValLoss:R}"));

    [Theory]
    [InlineData(Precision.Fp32)]
    [InlineData(Precision.Bf16)]
    public void Resuming_after_a_kill_gives_the_same_losses_to_the_bit(Precision precision)
    {
        var config = TinyRuns.Markov(steps: 12) with { Train = TinyRuns.Markov().Train with { Steps = 12, EvalEvery = 6, CheckpointEvery = 4, Precision = precision } };
        var straight = TinyRuns.TempFolder("straight-");
        var killed = TinyRuns.TempFolder("killed-");
        new Trainer(config, straight).Run();

        Assert.Throws<OperationCanceledException>(() => new Trainer(config, killed, new StopAt(7)).Run());
        Assert.Equal(7, MetricsFile.Read(Path.Combine(killed, "metrics.csv")).Count);   // rows 5..7 outlive the checkpoint at 4
        Assert.Equal(4, Checkpoint.ReadState(killed)!.Step);
        var summary = new Trainer(config, killed).Run();

        Assert.Equal(RunStatus.Completed, summary!.Status);
        Assert.Equal(Losses(straight), Losses(killed));
    }

    [Fact]
    public void Cancelling_checkpoints_at_once_and_the_rerun_finishes_identically()
    {
        var config = TinyRuns.Markov(steps: 10) with { Train = TinyRuns.Markov().Train with { Steps = 10, EvalEvery = 5, CheckpointEvery = 0 } };
        var straight = TinyRuns.TempFolder("straight-");
        var cancelled = TinyRuns.TempFolder("cancelled-");
        new Trainer(config, straight).Run();
        using var cts = new CancellationTokenSource();
        Assert.Null(new Trainer(config, cancelled, new StopAt(6, cts)).Run(cancel: cts.Token));
        Assert.Equal(6, Checkpoint.ReadState(cancelled)!.Step);
        Assert.False(File.Exists(Path.Combine(cancelled, RunSummary.FileName)));
        new Trainer(config, cancelled).Run();
        Assert.Equal(Losses(straight), Losses(cancelled));
        // The checkpoint written on cancel carries the whole state: the tokens column and the summary continue.
        var tokens = MetricsFile.Read(Path.Combine(cancelled, "metrics.csv")).Select(r => r.Tokens).ToList();
        Assert.Equal(MetricsFile.Read(Path.Combine(straight, "metrics.csv")).Select(r => r.Tokens), tokens);
        Assert.Equal(Enumerable.Range(1, 10).Select(s => s * (long)config.Train.BatchSize * config.Train.Context), tokens);
        Assert.Equal(RunSummary.Read(straight)!.Tokens, RunSummary.Read(cancelled)!.Tokens);
    }

    [Fact]
    public void Finished_run_is_not_trained_again()
    {
        var config = TinyRuns.Markov(steps: 4);
        var folder = TinyRuns.TempFolder("done-");
        var first = new Trainer(config, folder).Run()!;
        var before = File.ReadAllText(Path.Combine(folder, "metrics.csv"));
        var second = new Trainer(config, folder).Run()!;
        Assert.Equal(first.FinalValLoss, second.FinalValLoss);
        Assert.Equal(before, File.ReadAllText(Path.Combine(folder, "metrics.csv")));
    }

    [Fact]
    public void Run_folder_of_another_configuration_is_refused_and_kept()
    {
        var folder = TinyRuns.TempFolder("other-");
        new Trainer(TinyRuns.Markov(steps: 4), folder).Run();
        var metrics = File.ReadAllText(Path.Combine(folder, "metrics.csv"));
        var changed = TinyRuns.Markov(steps: 4) with { Model = TinyRuns.Markov().Model with { DModel = 64 } };
        var e = Assert.Throws<ConfigException>(() => new Trainer(changed, folder).Run());
        Assert.Contains("different configuration", e.Message);
        Assert.Contains("d_model", e.Message);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(folder, "metrics.csv")));
    }

    [Fact]
    public void Writes_metrics_tensorboard_events_checkpoint_and_summary()
    {
        var folder = TinyRuns.TempFolder("files-");
        var summary = new Trainer(TinyRuns.Markov(steps: 8), folder).Run()!;
        var rows = MetricsFile.Read(Path.Combine(folder, "metrics.csv"));
        Assert.Equal(Enumerable.Range(1, 8), rows.Select(r => r.Step));
        Assert.All(rows, r => Assert.True(r.TokensPerSecond > 0 && r.GradNorm > 0 && r.Lr > 0));
        Assert.NotNull(rows[4].MaxAttnLogit);                      // step 5: a logging step
        Assert.Equal(8L * 32 * 8, rows[^1].Tokens);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder, "events"), "*tfevents*", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(folder, "checkpoint", "model.bin")));
        Assert.Equal(rows[^1].ValLoss, summary.FinalValLoss);
        Assert.Equal(rows.Max(r => r.GradNorm), summary.MaxGradNorm);
        Assert.Equal(RunConfig.Load(Path.Combine(folder, "config.yaml")).Model, TinyRuns.Markov().Model);
    }

    [Fact]
    public void Divergence_is_a_result_not_a_crash()
    {
        var config = TinyRuns.Markov(steps: 30) with
        {
            Train = TinyRuns.Markov().Train with { Steps = 30, Lr = 200, WarmupSteps = 0, GradClip = 0, DivergenceNats = 1.0 },
        };
        var folder = TinyRuns.TempFolder("diverge-");
        var summary = new Trainer(config, folder).Run()!;
        Assert.Equal(RunStatus.Diverged, summary.Status);
        Assert.NotNull(summary.DivergedReason);
        Assert.True(summary.Steps < 30);
        Assert.Equal(RunStatus.Diverged, RunSummary.Read(folder)!.Status);
        Assert.Contains("\"status\": \"diverged\"", File.ReadAllText(Path.Combine(folder, RunSummary.FileName)));   // the text older folders hold
    }

    [Fact]
    public void Moe_run_records_balance_loss_and_expert_load()
    {
        var config = TinyRuns.Markov(steps: 6) with
        {
            Model = TinyRuns.Markov().Model with { Moe = new MoeConfig { NExperts = 4, TopK = 2, ExpertHidden = 24 } },
        };
        var folder = TinyRuns.TempFolder("moe-");
        new Trainer(config, folder).Run();
        var rows = MetricsFile.Read(Path.Combine(folder, "metrics.csv"));
        Assert.All(rows, r =>
        {
            Assert.True(r.MoeAuxLoss > 0);
            Assert.InRange(r.ExpertLoadMin!.Value, 0, 0.25);
            Assert.InRange(r.ExpertLoadMax!.Value, 0.25, 1);
        });
    }

    [Fact]
    public void Batch_that_cannot_fit_in_memory_is_refused_before_allocating()
    {
        var config = TinyRuns.Markov() with { Train = TinyRuns.Markov().Train with { BatchSize = 50_000_000 } };
        var e = Assert.Throws<ConfigException>(() => new Trainer(config, TinyRuns.TempFolder("oom-")).Run());
        Assert.Equal("train.batch_size", e.Key);
        Assert.Contains("is available", e.Message);
    }

    [Fact]
    public void Model_vocabulary_smaller_than_the_data_is_refused()
    {
        var config = TinyRuns.Config(new DataConfig { Source = DataSource.Markov, Markov = new MarkovConfig { Vocab = 16 } }, vocab: 8);
        var e = Assert.Throws<ConfigException>(() => new Trainer(config, TinyRuns.TempFolder("vocab-")).Run());
        Assert.Equal("model.vocab_size", e.Key);
    }
}

public class DivergenceGuardTests
{
    static TrainerState Feed(IEnumerable<double> losses, double nats = 3)
    {
        var state = new TrainerState();
        foreach (var loss in losses)
        {
            state = DivergenceGuard.Check(state, loss, nats);
            if (state.Diverged != null) break;
        }
        return state;
    }

    [Fact]
    public void One_bad_batch_or_an_early_spike_does_not_end_a_healthy_run()
    {
        var healthy = Enumerable.Range(0, 60).Select(i => 5.0 - 0.05 * i).ToList();
        healthy[20] += 4;                  // one batch 4 nats worse than its neighbours
        healthy[3] += 3.5;                 // an early spike
        Assert.Null(Feed(healthy).Diverged);
    }

    [Fact]
    public void A_loss_that_stays_high_or_is_not_finite_ends_the_run()
    {
        var blowUp = Enumerable.Range(0, 20).Select(i => 4.0 - 0.1 * i).Concat(Enumerable.Repeat(9.0, 30)).ToList();
        var state = Feed(blowUp);
        Assert.Contains("smoothed training loss", state.Diverged);
        Assert.Equal("training loss is NaN", Feed(new[] { 3.0, 2.9, double.NaN }).Diverged);
    }

    [Fact]
    public void The_guard_state_survives_a_checkpoint_before_the_first_step()
    {
        var folder = TinyRuns.TempFolder("guard-state-");
        var config = TinyRuns.Markov(steps: 4);
        using var cancel = new CancellationTokenSource();
        // Ctrl-C once the data is ready, before the first step: the state still has no loss (NaN, infinity). A
        // Ctrl-C during data preparation stops before any checkpoint.
        Assert.Null(new Trainer(config, folder, new CancelOnStart(cancel)).Run(cancel: cancel.Token));
        var state = Checkpoint.ReadState(folder)!;
        Assert.True(double.IsNaN(state.SmoothedLoss) && double.IsPositiveInfinity(state.MinLoss));
        Assert.NotNull(new Trainer(config, folder).Run());
    }
}

public class ValidationSetTests
{
    [Fact]
    public void The_final_evaluation_uses_the_whole_fixed_set_and_the_ones_along_the_way_a_spread_part()
    {
        var config = TinyRuns.Markov();
        using var data = Ablations.Data.DataFactory.Prepare(config.Data, config.SequenceLength, Repo.Root);
        using var model = new Ablations.Model.Decoder(config.Model, seed: 2);
        using var evaluator = new Evaluator(data, batchesAlongTheWay: 4, batches: 16, batchSize: 8, TorchSharp.torch.CPU);
        using var same = new Evaluator(data, batchesAlongTheWay: 2, batches: 16, batchSize: 8, TorchSharp.torch.CPU);
        using var fewer = new Evaluator(data, batchesAlongTheWay: 4, batches: 4, batchSize: 8, TorchSharp.torch.CPU);
        // The final number depends on the set only, not on how many batches are used along the way.
        Assert.Equal(evaluator.Evaluate(model, final: true).Loss, same.Evaluate(model, final: true).Loss);
        Assert.NotEqual(evaluator.Evaluate(model, final: true).Loss, evaluator.Evaluate(model, final: false).Loss);
        Assert.NotEqual(evaluator.Evaluate(model, final: false).Loss, fewer.Evaluate(model, final: true).Loss);   // spread, not the first four
    }

    [Fact]
    public void Evaluations_along_the_way_are_part_of_the_final_set()
    {
        var errors = (TinyRuns.Markov().Train with { EvalBatches = 80, FinalEvalBatches = 64 }).Validate().ToList();
        Assert.Contains(errors, e => e.Key == "eval_batches" && e.Message.Contains("final_eval_batches = 64"));
    }
}

/// <summary>Cancels when training starts: after the data is prepared, before the first step.</summary>
sealed class CancelOnStart(CancellationTokenSource cancel) : ITrainingObserver
{
    public void OnStart(int firstStep, int totalSteps, string description) => cancel.Cancel();
    public void OnStep(MetricsRow row, int totalSteps) { }
    public void OnMessage(string message) { }
}
