using Ablations.Common;
using System.Diagnostics;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Data;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Training;

/// <summary>
/// Trains one configuration into one run folder, resuming from its checkpoint when there is one. The loop
/// only orchestrates: data, evaluation, checkpoints and each metrics sink are their own classes.
/// </summary>
public sealed class Trainer
{
    readonly RunConfig _config;
    readonly RunFolder _folder;
    readonly ITrainingObserver _observer;

    public Trainer(RunConfig config, string runFolder, ITrainingObserver? observer = null)
    {
        _config = config;
        _folder = new RunFolder(runFolder);
        _observer = observer ?? new SilentObserver();
    }

    /// <summary>The working folder against which relative data paths are resolved.</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>How long to wait for another trainer of the same run folder (one interrupted and still checkpointing) to let go.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>CPU threads for this process, overriding train.threads (the experiment runner divides cores between jobs).</summary>
    public int? Threads { get; init; }

    /// <summary>Runs to the configured step count (or divergence); a cancelled run checkpoints and returns null.</summary>
    public RunSummary? Run(bool force = false, CancellationToken cancel = default)
    {
        if (!force && _folder.IsCompleteFor(_config)) return AlreadyComplete();
        _folder.CheckClaimable();   // before the lock writes anything: a folder of someone else's files is refused untouched
        var created = !Directory.Exists(_folder.Path);
        var fresh = false;
        try
        {
            using var held = _folder.Lock(LockWait, _observer.OnMessage);
            fresh = _folder.Claim(_config, force);
            if (_folder.IsComplete) return AlreadyComplete();   // finished by the trainer we waited for
            return Train(cancel);
        }
        catch (Exception) when (fresh && !_folder.HoldsWork)
        {
            // A start refused before its first step (no data, too little memory) takes its claim back.
            _folder.Release();
            if (created) _folder.RemoveIfEmpty();
            throw;
        }
    }

    RunSummary? Train(CancellationToken cancel)
    {
        var t = _config.Train;
        if ((Threads ?? t.Threads) is > 0 and var threads) set_num_threads(threads);
        var device = DeviceSelector.Select(t.Device);
        var sequence = _config.SequenceLength;

        CheckMemory(sequence);
        PreparedData prepared;
        try
        {
            prepared = DataFactory.Prepare(_config.Data, sequence, BaseDirectory, _observer.OnMessage,
                _observer.OnDataProgress, cancel);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            _observer.OnMessage("interrupted while preparing the data (nothing half-written is cached); run it again");
            return null;
        }
        using var data = prepared;
        if (_config.Model.VocabSize < data.VocabSize)
            throw new ConfigException($"{_config.Model.VocabSize} is smaller than the data's vocabulary ({data.VocabSize}, {data.Description}); " +
                                      $"set model.vocab_size to at least {data.VocabSize}", key: "model.vocab_size");

        manual_seed(t.Seed);
        using var model = new Decoder(_config.Model, t.Seed, device);
        using var optimizer = OptimizerFactory.Create(model, t);
        var state = Checkpoint.Load(_folder.Path, model, optimizer, _observer.OnMessage) ?? FreshStart();
        if (state.Step > 0) KeepMetricsThrough(state.Step);
        if (state.Step >= t.Steps && File.Exists(System.IO.Path.Combine(_folder.Path, RunSummary.FileName)))
            _observer.OnMessage($"{RunSummary.FileName} does not read: rebuilding it from the final checkpoint and metrics.csv");
        state = state with { Threads = KeepThreads(state.Threads) };
        var precision = ResolvePrecision(state, model, device, data);
        model.Precision = precision.Precision;
        state = state with { Precision = SnakeCase.Of(precision.Precision.ToString()) };
        _folder.RecordPrecision(_config, precision.Precision, precision.Why);
        var inspection = Inspector.Inspect(_config.Model, sequence, "fp32");
        _observer.OnStart(state.Step, t.Steps,
            $"{data.Description}; {Units.Count(inspection.TotalParameters)} parameters ({Units.Count(inspection.ActiveParameters)} active) on {device.type}" +
            $"; precision {state.Precision}" + (t.Precision == Precision.Auto ? $" ({precision.Why})" : "") +
            (state.Step > 0 ? $"; resuming after step {state.Step}" : "") +
            (data.LossFloor is double f ? $"; loss floor {f:F4} ({data.LossFloorNote})" : ""));

        var step = new TrainStep(model, optimizer, t, (s, micro) =>
        {
            var (input, target) = data.Train.Sample(t.Seed, s, micro, t.BatchSize);
            return (input.to(device), target.to(device));
        });
        using (var metrics = MetricsFile.OpenAfter(_folder.MetricsFile, state.Step))
        using (var events = new TensorBoardWriter(_folder.EventsFolder))
        using (var evaluator = new Evaluator(data, t.EvalBatches, t.FinalEvalBatches, t.EvalBatchSize, device))
        {
            ITrainingCallback[] callbacks =
            {
                new EvaluationCallback(evaluator, model, t), metrics, events, new ObserverCallback(_observer, t.Steps),
                new CheckpointCallback(_folder.Path, model, optimizer, t),
            };
            state = Loop(step, state, data.Train.SequenceLength, callbacks, cancel);
        }
        if (state.Step < t.Steps && state.Diverged == null)
        {
            _observer.OnMessage($"interrupted: checkpoint saved after step {state.Step}; run the same command again to resume");
            return null;
        }

        var summary = Summarise(MetricsFile.Read(_folder.MetricsFile), state, data, inspection, device) with { Precision = state.Precision };
        summary.Write(_folder.Path);
        _observer.OnMessage(state.Diverged != null
            ? $"diverged at step {state.Step}: {state.Diverged}"
            : $"done: validation loss {summary.FinalValLoss:F4}, perplexity {summary.FinalValPerplexity:F2}, {summary.FinalValBitsPerByte:F3} bits per byte, accuracy {summary.FinalValAccuracy:P1}");
        return summary;
    }

    /// <summary>
    /// Steps until the configured count, divergence or cancellation. The state is updated once per step, then each
    /// callback sees the step's row in order; on cancellation they are told, and the state returned is the last step's.
    /// </summary>
    TrainerState Loop(TrainStep trainStep, TrainerState state, int sequence, IReadOnlyList<ITrainingCallback> callbacks, CancellationToken cancel)
    {
        var t = _config.Train;
        var tokensPerStep = (long)t.BatchSize * sequence * t.GradAccum;
        var (wall, wallBefore) = (Stopwatch.StartNew(), state.WallSeconds);
        while (state.Step < t.Steps && state.Diverged == null)
        {
            if (cancel.IsCancellationRequested)
            {
                foreach (var c in callbacks) c.OnInterrupt(state);
                return state;
            }
            var stepWatch = Stopwatch.StartNew();
            var result = trainStep.Run(state.Step + 1);
            state = DivergenceGuard.Check(state, result.Loss, t.DivergenceNats) with
            {
                Step = state.Step + 1, Tokens = state.Tokens + tokensPerStep, WallSeconds = wallBefore + wall.Elapsed.TotalSeconds,
            };
            var row = new MetricsRow
            {
                Step = state.Step, Tokens = state.Tokens, Lr = LearningRate.At(t, state.Step), TrainLoss = result.Loss, GradNorm = result.GradNorm,
                MaxAttnLogit = result.MaxAttentionLogit, MoeAuxLoss = result.AuxLoss, ExpertLoadMin = result.ExpertLoadMin, ExpertLoadMax = result.ExpertLoadMax,
                TokensPerSecond = tokensPerStep / stepWatch.Elapsed.TotalSeconds, WallSeconds = state.WallSeconds,
            };
            foreach (var c in callbacks) row = c.OnStep(row, state);
        }
        return state;
    }

    /// <summary>
    /// The precision to train in: a resumed run keeps the one it started with (auto measures anew only at the
    /// start, so a resume continues bit for bit); a new run resolves train.precision, measuring when it is auto.
    /// </summary>
    PrecisionChoice ResolvePrecision(TrainerState state, Decoder model, Device device, PreparedData data)
    {
        var t = _config.Train;
        if (state.Step > 0 && state.Precision is string recorded && Enum.TryParse<Precision>(recorded, ignoreCase: true, out var kept))
            return new(kept, t.Precision == Precision.Auto ? "auto: as chosen when the run started" : "as configured");
        if (t.Precision == Precision.Auto) _observer.OnMessage("precision auto: timing a few forward and backward passes in fp32 and in bf16");
        return PrecisionChoice.Resolve(t.Precision, model, device.type, () =>
        {
            var (input, target) = data.Train.Sample(t.Seed, 1, 0, t.BatchSize);
            return (input.to(device), target.to(device));
        });
    }

    /// <summary>
    /// A run keeps the libtorch thread count it started with: the order of a multi-threaded sum depends on it, so
    /// resuming on another count (a rerun with another --jobs) would not continue bit for bit.
    /// </summary>
    int KeepThreads(int started)
    {
        var now = get_num_threads();
        if (started <= 0 || started == now) return now;
        if (started > Environment.ProcessorCount)
        {
            _observer.OnMessage($"this run started on {started} threads but {Environment.ProcessorCount} cores are here: continuing on {now}, so its numbers may differ in the last bits");
            return now;
        }
        _observer.OnMessage($"continuing on the {started} libtorch threads this run started with (not {now}), so it resumes bit for bit");
        set_num_threads(started);
        return started;
    }

    RunSummary AlreadyComplete()
    {
        var done = RunSummary.Read(_folder.Path)!;
        _observer.OnMessage($"{_folder.Path} is already complete ({SnakeCase.Of(done.Status.ToString())}); nothing to do");
        return done;
    }

    /// <summary>
    /// No checkpoint: a run killed before its first one starts over (its few metrics rows go). Metrics past the
    /// first scheduled checkpoint mean checkpoints were written and then removed: resuming is impossible, and
    /// starting over silently would overwrite what was measured, so the run is refused.
    /// </summary>
    TrainerState FreshStart()
    {
        var rows = File.Exists(_folder.MetricsFile) ? MetricsFile.Read(_folder.MetricsFile) : new List<MetricsRow>();
        var last = rows.Count == 0 ? 0 : rows.Max(r => r.Step);
        var firstCheckpoint = _config.Train.CheckpointEvery > 0 ? _config.Train.CheckpointEvery : _config.Train.Steps;
        // The checkpoint after step k is saved after row k is written, so a process killed while saving its first
        // checkpoint leaves rows up to that step and no checkpoint: only rows past it prove checkpoints were removed.
        if (last > firstCheckpoint)
            throw new ConfigException($"metrics.csv records {last} steps but the run folder has no checkpoint to resume from (checkpoint/ or its " +
                                      "state.json was removed); resuming exactly is impossible: run again with --force to start over", _folder.MetricsFile);
        if (last > 0) _observer.OnMessage($"no checkpoint yet (the run stopped after step {last}, before its first): starting over");
        return new TrainerState();
    }

    /// <summary>
    /// A resume continues metrics.csv after the checkpoint's step, so the file must hold every row up to it: rows
    /// cut from its end are restored from the copy saved with the checkpoint; without one the run is refused rather
    /// than continued with a silent gap.
    /// </summary>
    void KeepMetricsThrough(int step)
    {
        var rows = File.Exists(_folder.MetricsFile) ? MetricsFile.Read(_folder.MetricsFile) : new List<MetricsRow>();
        var last = rows.Count == 0 ? 0 : rows.Max(r => r.Step);
        if (last >= step) return;
        if (Checkpoint.SavedMetrics(_folder.Path) is { Count: > 0 } saved && saved[^1].Step == step)
        {
            MetricsFile.WriteAll(_folder.MetricsFile, saved);
            _observer.OnMessage($"metrics.csv ended after step {last} but the checkpoint is after step {step}: " +
                                $"restored its {saved.Count} rows from the copy saved with the checkpoint");
            return;
        }
        throw new ConfigException($"ends after step {last} but the checkpoint to resume from is after step {step}, and no copy of the " +
                                  $"rows between is saved with it; resuming would leave a gap: run again with --force to start over", _folder.MetricsFile);
    }

    void CheckMemory(int sequence)
    {
        var estimate = new MemoryEstimate(_config, sequence);
        var available = MemoryEstimate.Available();
        if (estimate.Bytes <= available) return;
        var (key, message) = estimate.Explain(available);
        throw new ConfigException(message, key: key);
    }

    static RunSummary Summarise(List<MetricsRow> history, TrainerState state, PreparedData data, Inspection inspection, Device device)
    {
        var lastEval = history.LastOrDefault(r => r.ValLoss != null);
        var speeds = history.Select(r => r.TokensPerSecond).Where(double.IsFinite).Order().ToList();
        var logits = history.Where(r => r.MaxAttnLogit is double v && double.IsFinite(v)).Select(r => r.MaxAttnLogit!.Value).ToList();
        return new RunSummary
        {
            Status = state.Diverged == null ? RunStatus.Completed : RunStatus.Diverged,
            DivergedReason = state.Diverged,
            Steps = history.Count == 0 ? 0 : history[^1].Step,
            Tokens = history.Count == 0 ? 0 : history[^1].Tokens,
            FinalValLoss = lastEval?.ValLoss,
            FinalValPerplexity = lastEval?.ValPerplexity,
            FinalValBitsPerByte = lastEval?.ValBitsPerByte,
            FinalValAccuracy = lastEval?.ValAccuracy,
            BestValLoss = history.Where(r => r.ValLoss != null).Select(r => r.ValLoss).Min(),
            FinalTrainLoss = history.Count == 0 ? null : history[^1].TrainLoss,
            LossFloor = data.LossFloor,
            WallSeconds = state.WallSeconds,
            TokensPerSecond = speeds.Count == 0 ? 0 : speeds[speeds.Count / 2],
            MaxGradNorm = history.Select(r => r.GradNorm).Where(double.IsFinite).DefaultIfEmpty(0).Max(),
            MaxAttentionLogit = logits.Count == 0 ? null : logits.Max(),
            LossSpikes = Stability.CountSpikes(history.Select(r => r.TrainLoss).ToList()),
            ParametersTotal = inspection.TotalParameters,
            ParametersActive = inspection.ActiveParameters,
            KvCacheBytesPerToken = inspection.KvBytesPerToken,
            Device = device.type.ToString().ToLowerInvariant(),
        };
    }
}
