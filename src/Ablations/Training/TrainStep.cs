using Ablations.Common;
using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Training;

/// <summary>
/// One optimiser step, the same for training and for `ablate bench`: learning rate from the schedule, grad_accum
/// micro-batches of forward, cross-entropy (+ z-loss, + the MoE balance loss) and backward, gradient clipping,
/// AdamW, and the routers' balance update from the step's expert load. A model with nested sub-models (MatFormer)
/// trains all of them at once: each micro-batch's loss is the average of every granularity's, and the loss
/// reported is the full model's.
/// </summary>
public sealed class TrainStep
{
    readonly ILanguageModel _model;
    readonly AdamW _optimizer;
    readonly TrainConfig _train;
    readonly Func<int, int, (Tensor Input, Tensor Target)> _batch;

    /// <param name="batch">The (input, target) of a step and micro-batch, on the model's device.</param>
    public TrainStep(ILanguageModel model, AdamW optimizer, TrainConfig train, Func<int, int, (Tensor Input, Tensor Target)> batch)
    {
        (_model, _optimizer, _train, _batch) = (model, optimizer, train, batch);
    }

    /// <summary>Called after the forward pass, after backward and after the update (the benchmark samples memory there).</summary>
    public Action? Probe { get; init; }

    public StepResult Run(int step)
    {
        var t = _train;
        using var scope = NewDisposeScope();
        OptimizerFactory.SetLearningRate(_optimizer, LearningRate.At(t, step));
        manual_seed(unchecked(t.Seed * 7919L + step));   // dropout masks depend on (seed, step) only
        _optimizer.zero_grad();
        double lossSum = 0, auxSum = 0;
        double? maxLogit = null;
        bool anyAux = false;
        Tensor? load = null;
        var granularities = _model.Granularities;
        for (int micro = 0; micro < t.GradAccum; micro++)
        {
            var (input, target) = _batch(step, micro);
            var flatTarget = target.reshape(-1);
            Tensor? total = null;
            for (int g = 0; g < granularities; g++)
            {
                var full = g == granularities - 1;
                var record = full && micro == 0 && (step % t.LogEvery == 0 || step == 1);
                var output = _model.Forward(input, recordAttentionLogits: record, granularity: granularities > 1 ? g : null);
                if (record) maxLogit = output.MaxAttentionLogit;
                var logits = output.Logits.reshape(-1, output.Logits.shape[^1]);
                var ce = nn.functional.cross_entropy(logits, flatTarget, ignore_index: -100);
                var loss = ce;
                if (t.ZLoss > 0)
                {
                    var scored = flatTarget.ne(-100);
                    var logZ = logits.logsumexp(-1);
                    loss = loss + Scalars.Of(t.ZLoss) * (logZ.pow(Scalars.Of(2L)) * scored).sum() / scored.sum().clamp_min(Scalars.Of(1L));
                }
                if (output.AuxLoss is { } aux)
                {
                    loss = loss + aux;
                    if (full) auxSum += aux.item<float>();
                    anyAux = true;
                }
                if (full && output.ExpertLoad is { } l) load = load is null ? l : load + l;
                if (full) lossSum += ce.item<float>();
                total = total is null ? loss : total + loss;
            }
            if (granularities > 1) total = total! / Scalars.Of((long)granularities);
            Probe?.Invoke();
            (total! / Scalars.Of((long)t.GradAccum)).backward();
            Probe?.Invoke();
        }
        var norm = nn.utils.clip_grad_norm_(_model.parameters(), t.GradClip > 0 ? t.GradClip : double.PositiveInfinity);
        _optimizer.step();
        _model.AfterOptimizerStep(load);
        Probe?.Invoke();
        var (min, max) = Shares(load);
        return new StepResult(lossSum / t.GradAccum, anyAux ? auxSum / t.GradAccum : null, maxLogit, norm, min, max);
    }

    /// <summary>Smallest and largest share of a layer's routed assignments that one expert got, over all MoE layers.</summary>
    static (double? Min, double? Max) Shares(Tensor? load)
    {
        if (load is null) return (null, null);
        var experts = (int)load.shape[1];
        var counts = load.cpu().data<long>().ToArray();
        var shares = counts.Chunk(experts).SelectMany(layer => layer.Select(c => (double)c / Math.Max(1, layer.Sum()))).ToList();
        return (shares.Min(), shares.Max());
    }
}
