using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// What the training step needs of a model: a forward pass that returns logits and what the layers measured,
/// its parameters, and a hook after each optimiser step (MoE routers' balance update). The decoder and the
/// benchmark's hand-written reference GPT both are one.
/// </summary>
public interface ILanguageModel
{
    /// <summary>tokens: [batch, time] from position 0.</summary>
    /// <param name="granularity">Which nested sub-model to run (MatFormer), 0 .. Granularities-1; null = the full model.</param>
    DecoderOutput Forward(Tensor tokens, DecoderCache? cache = null, bool recordAttentionLogits = false, int? granularity = null);

    /// <summary>Nested sub-models trained together (MatFormer); 1 for every other model.</summary>
    int Granularities { get; }

    IEnumerable<Parameter> parameters(bool recurse = true);

    /// <summary>Called after each optimiser step with the step's expert load [moe layers, experts] summed over micro-batches (null without MoE).</summary>
    void AfterOptimizerStep(Tensor? expertLoad);
}
