using System.Diagnostics;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Data;
using Ablations.Model;
using Ablations.Reporting;
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

    /// <summary>CPU threads for this process, overriding train.threads (the experiment runner divides cores between jobs).</summary>
    public int? Threads { get; init; }

    /// <summary>Runs to the configured step count (or divergence); a cancelled run checkpoints and returns null.</summary>
    public RunSummary? Run(bool force = false, CancellationToken cancel = default)
    {
        var t = _config.Train;
        _folder.Claim(_config, force);
        if (RunSummary.Read(_folder.Path) is { } done)
        {
            _observer.OnMessage($"{_folder.Path} is already complete ({SnakeCase.Of(done.Status.ToString())}); nothing to do");
            return done;
        }
        if ((Threads ?? t.Threads) is > 0 and var threads) set_num_threads(threads);
        var device = DeviceSelector.Select(t.Device);
        var sequence = _config.SequenceLength;

        CheckMemory(sequence);
        using var data = DataFactory.Prepare(_config.Data, sequence, BaseDirectory);
        if (_config.Model.VocabSize < data.VocabSize)
            throw new ConfigException($"{_config.Model.VocabSize} is smaller than the data's vocabulary ({data.VocabSize}, {data.Description}); " +
                                      $"set model.vocab_size to at least {data.VocabSize}", key: "model.vocab_size");

        manual_seed(t.Seed);
        using var model = new Decoder(_config.Model, t.Seed);
        model.to(device);
        using var optimizer = OptimizerFactory.Create(model, t);
        var state = Checkpoint.ReadState(_folder.Path) is null ? new TrainerState() : Checkpoint.Load(_folder.Path, model, optimizer);
        var inspection = Inspector.Inspect(_config.Model, sequence, "fp32");

        using var metrics = MetricsFile.OpenAfter(_folder.MetricsFile, state.Step);
        using var events = new TensorBoardWriter(_folder.EventsFolder);
        using var evaluator = new Evaluator(data, t.EvalBatches, t.BatchSize, device);
        var history = state.Step > 0 ? MetricsFile.Read(_folder.MetricsFile) : new List<MetricsRow>();
        _observer.OnStart(state.Step, t.Steps,
            $"{data.Description}; {Units.Count(inspection.TotalParameters)} parameters ({Units.Count(inspection.ActiveParameters)} active) on {device.type}" +
            (state.Step > 0 ? $"; resuming after step {state.Step}" : "") +
            (data.LossFloor is double f ? $"; loss floor {f:F4} ({data.LossFloorNote})" : ""));

        var guard = new DivergenceGuard(t.DivergenceNats, state.MinLoss);
        var wall = Stopwatch.StartNew();
        var tokensPerStep = (long)t.BatchSize * data.Train.SequenceLength * t.GradAccum;
        string? diverged = null;
        int step = state.Step;
        model.train();
        while (step < t.Steps)
        {
            if (cancel.IsCancellationRequested)
            {
                Checkpoint.Save(_folder.Path, model, optimizer, state with { Step = step, WallSeconds = state.WallSeconds + wall.Elapsed.TotalSeconds, MinLoss = guard.MinLoss });
                _observer.OnMessage($"interrupted: checkpoint saved after step {step}; run the same command again to resume");
                return null;
            }
            step++;
            var stepWatch = Stopwatch.StartNew();
            var (loss, aux, maxLogit, gradNorm) = Step(model, optimizer, data, step, device);
            var tokens = state.Tokens + (step - state.Step) * tokensPerStep;
            diverged = guard.Check(loss);
            var load = ExpertLoad(model);
            var row = new MetricsRow
            {
                Step = step, Tokens = tokens, Lr = LearningRate.At(t, step), TrainLoss = loss, GradNorm = gradNorm,
                MaxAttnLogit = maxLogit, MoeAuxLoss = aux, ExpertLoadMin = load?.Min, ExpertLoadMax = load?.Max,
                TokensPerSecond = tokensPerStep / stepWatch.Elapsed.TotalSeconds,
                WallSeconds = state.WallSeconds + wall.Elapsed.TotalSeconds,
            };
            if (diverged == null && (step % t.EvalEvery == 0 || step == t.Steps))
            {
                var (vl, ppl, bpb) = evaluator.Evaluate(model);
                row = row with { ValLoss = vl, ValPerplexity = ppl, ValBitsPerByte = bpb };
            }
            metrics.Write(row);
            events.Write(row);
            history.Add(row);
            _observer.OnStep(row, t.Steps);
            if (diverged != null) break;
            if ((t.CheckpointEvery > 0 && step % t.CheckpointEvery == 0) || step == t.Steps)
                Checkpoint.Save(_folder.Path, model, optimizer, new TrainerState
                {
                    Step = step, Tokens = tokens, WallSeconds = state.WallSeconds + wall.Elapsed.TotalSeconds, MinLoss = guard.MinLoss,
                });
        }

        var summary = Summarise(history, diverged, data, inspection, device, state.WallSeconds + wall.Elapsed.TotalSeconds);
        summary.Write(_folder.Path);
        _observer.OnMessage(diverged != null
            ? $"diverged at step {step}: {diverged}"
            : $"done: validation loss {summary.FinalValLoss:F4}, perplexity {summary.FinalValPerplexity:F2}, {summary.FinalValBitsPerByte:F3} bits per byte");
        return summary;
    }

    /// <summary>One optimiser step over grad_accum micro-batches. Returns the mean training loss (cross-entropy only).</summary>
    (double Loss, double? Aux, double? MaxLogit, double GradNorm) Step(Decoder model, TorchSharp.Modules.AdamW optimizer, PreparedData data, int step, Device device)
    {
        var t = _config.Train;
        using var scope = NewDisposeScope();
        OptimizerFactory.SetLearningRate(optimizer, LearningRate.At(t, step));
        manual_seed(unchecked(t.Seed * 7919L + step));   // dropout masks depend on (seed, step) only
        optimizer.zero_grad();
        double lossSum = 0, auxSum = 0;
        double? maxLogit = null;
        bool anyAux = false;
        for (int micro = 0; micro < t.GradAccum; micro++)
        {
            var (cpuInput, cpuTarget) = data.Train.Sample(t.Seed, step, micro, t.BatchSize);
            var input = cpuInput.to(device);
            var target = cpuTarget.to(device);
            var record = micro == 0 && (step % t.LogEvery == 0 || step == 1);
            var output = model.Forward(input, recordAttentionLogits: record);
            if (record) maxLogit = output.MaxAttentionLogit;
            var logits = output.Logits.reshape(-1, output.Logits.shape[^1]);
            var flatTarget = target.reshape(-1);
            var ce = nn.functional.cross_entropy(logits, flatTarget, ignore_index: -100);
            var loss = ce;
            if (t.ZLoss > 0)
            {
                var scored = flatTarget.ne(-100);
                var logZ = logits.logsumexp(-1);
                loss = loss + t.ZLoss * (logZ.pow(2) * scored).sum() / scored.sum().clamp_min(1);
            }
            if (output.AuxLoss is { } aux)
            {
                loss = loss + aux;
                auxSum += aux.item<float>();
                anyAux = true;
            }
            (loss / t.GradAccum).backward();
            lossSum += ce.item<float>();
        }
        var norm = nn.utils.clip_grad_norm_(model.parameters(), t.GradClip > 0 ? t.GradClip : double.PositiveInfinity);
        optimizer.step();
        model.UpdateRouterBiases();
        return (lossSum / t.GradAccum, anyAux ? auxSum / t.GradAccum : null, maxLogit, norm);
    }

    static (double Min, double Max)? ExpertLoad(Decoder model)
    {
        var loads = model.Routers.Select(r => r.LastLoad).Where(l => l != null).ToList();
        if (loads.Count == 0) return null;
        var shares = loads.SelectMany(l => l!.Select(x => (double)x / Math.Max(1, l!.Sum()))).ToList();
        return (shares.Min(), shares.Max());
    }

    void CheckMemory(int sequence)
    {
        var needed = MemoryEstimate.Bytes(_config, sequence);
        var available = MemoryEstimate.Available();
        if (needed > available)
            throw new ConfigException(
                $"batch_size {_config.Train.BatchSize} x {sequence} tokens needs about {Units.Bytes(needed)} for training, " +
                $"but {Units.Bytes(available)} is available; lower train.batch_size (and raise train.grad_accum to keep the tokens per step)",
                key: "train.batch_size");
    }

    RunSummary Summarise(List<MetricsRow> history, string? diverged, PreparedData data, Inspection inspection, Device device, double wallSeconds)
    {
        var lastEval = history.LastOrDefault(r => r.ValLoss != null);
        var speeds = history.Select(r => r.TokensPerSecond).Where(double.IsFinite).Order().ToList();
        var logits = history.Where(r => r.MaxAttnLogit is double v && double.IsFinite(v)).Select(r => r.MaxAttnLogit!.Value).ToList();
        return new RunSummary
        {
            Status = diverged == null ? RunStatus.Completed : RunStatus.Diverged,
            DivergedReason = diverged,
            Steps = history.Count == 0 ? 0 : history[^1].Step,
            Tokens = history.Count == 0 ? 0 : history[^1].Tokens,
            FinalValLoss = lastEval?.ValLoss,
            FinalValPerplexity = lastEval?.ValPerplexity,
            FinalValBitsPerByte = lastEval?.ValBitsPerByte,
            BestValLoss = history.Where(r => r.ValLoss != null).Select(r => r.ValLoss).Min(),
            FinalTrainLoss = history.Count == 0 ? null : history[^1].TrainLoss,
            LossFloor = data.LossFloor,
            WallSeconds = wallSeconds,
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
