using Ablations.Common;
using Ablations.Config;
using Ablations.Model.Attention;
using Ablations.Model.FeedForward;
using Ablations.Model.Norms;
using Ablations.Model.Positions;

namespace Ablations.Model;

/// <summary>A decoder-only language model: sizes and one record per component family.</summary>
public sealed record ModelConfig : IValidatable
{
    public int VocabSize { get; init; } = 256;
    public int DModel { get; init; } = 128;
    public int NLayers { get; init; } = 4;
    /// <summary>Longest sequence the model is built for (size of learned position tables, RoPE tables).</summary>
    public int ContextLength { get; init; } = 256;
    public AttentionConfig Attention { get; init; } = new GroupedAttentionConfig();
    public PositionConfig Positions { get; init; } = new RopeConfig();
    public NormConfig Norm { get; init; } = new RmsNormConfig();
    public FeedForwardConfig FeedForward { get; init; } = new GatedFeedForwardConfig();
    /// <summary>Absent: every layer is dense.</summary>
    public MoeConfig? Moe { get; init; }
    public bool TieEmbeddings { get; init; } = true;
    public EmbeddingScale EmbeddingScale { get; init; } = EmbeddingScale.None;
    /// <summary>
    /// Standard deviation of every matrix and embedding at initialisation (the residual output projections get
    /// it divided by sqrt(2 n_layers)). Absent: 1/sqrt(d_model), the fan-in scale of the original Transformer, for
    /// every norm placement, so that placements are compared from the same start. GPT-2's fixed 0.02 is far below
    /// that in narrow models and holds them on the unigram plateau: at d_model 48 (4 layers, 573K tokens, lr 1e-2) a
    /// Pre-Norm model ended at 2.39 nats per byte against 1.44 at 1/sqrt(48), at d_model 128 (tiny.yaml) at 1.44
    /// against 1.21, and a tied Post-Norm model at 0.02 does not leave the unigram loss at all at lr >= 1e-3.
    /// </summary>
    public double? InitStd { get; init; }

    /// <summary>The initial standard deviation, resolved (see <see cref="InitStd"/>).</summary>
    public double InitialStd => InitStd ?? 1 / Math.Sqrt(DModel);
    public double Dropout { get; init; }
    /// <summary>Gemma 3n's per-layer embeddings; absent = none.</summary>
    public PerLayerEmbeddingsConfig? PerLayerEmbeddings { get; init; }
    /// <summary>Gemma 2's soft-cap on the output logits: cap * tanh(logits / cap) (30 in Gemma 2); absent = none.</summary>
    public double? FinalLogitSoftcap { get; init; }

    /// <summary>Every size within its bound, and then the whole model within what can be counted.</summary>
    public IEnumerable<ConfigError> Validate()
    {
        var errors = ValidateParts().ToList();
        if (errors.Count == 0 && new ModelSize(this) is var size && size.Total > SizeLimits.Parameters)
        {
            var (key, reason) = size.Culprit(SizeLimits.Parameters);
            errors.Add(new(key, $"the model would hold about {Units.Count(size.Total)} parameters, more than the {Units.Count(SizeLimits.Parameters)} ablate counts: {reason}"));
        }
        return errors;
    }

    IEnumerable<ConfigError> ValidateParts()
    {
        if (VocabSize <= 0) yield return new("vocab_size", $"must be a positive integer, got {VocabSize}");
        if (DModel <= 0) yield return new("d_model", $"must be a positive integer, got {DModel}");
        if (NLayers <= 0) yield return new("n_layers", $"must be a positive integer, got {NLayers}");
        if (ContextLength <= 0) yield return new("context_length", $"must be a positive integer, got {ContextLength}");
        foreach (var e in SizeLimits.Above(("vocab_size", VocabSize, SizeLimits.Vocabulary), ("d_model", DModel, SizeLimits.Width),
                     ("n_layers", NLayers, SizeLimits.Layers), ("context_length", ContextLength, SizeLimits.Context)))
            yield return e;
        if (InitStd is double std && !(std > 0 && double.IsFinite(std))) yield return new("init_std", $"must be a positive number, got {std}");
        if (!(Dropout >= 0 && Dropout < 1)) yield return new("dropout", $"must be in [0, 1), got {Dropout}");

        if (FinalLogitSoftcap is double cap && !(cap > 0 && double.IsFinite(cap)))
            yield return new("final_logit_softcap", $"must be a positive number (e.g. 30), got {cap}");
        foreach (var e in Nested("attention", Attention.Validate().Concat(Attention.ValidateIn(this)))) yield return e;
        foreach (var e in Nested("positions", Positions.Validate())) yield return e;
        foreach (var e in Positions.ValidateIn(this)) yield return e;
        foreach (var e in Nested("norm", Norm.Validate())) yield return e;
        foreach (var e in Nested("feed_forward", FeedForward.Validate())) yield return e;
        if (PerLayerEmbeddings != null)
            foreach (var e in Nested("per_layer_embeddings", PerLayerEmbeddings.Validate())) yield return e;
        if (Moe != null)
        {
            foreach (var e in Nested("moe", Moe.Validate())) yield return e;
            if (Moe.DenseLayers > NLayers)
                yield return new("moe.dense_layers", $"{Moe.DenseLayers} dense layers but only n_layers = {NLayers}");
        }

        var pattern = Attention.Pattern();
        if (pattern != null && pattern.Count > NLayers)
        {
            var key = Attention.LayerPattern != null ? "attention.layer_pattern" : "attention.local_global";
            yield return new(key, $"the pattern is {pattern.Count} layers long but the model has n_layers = {NLayers}");
        }
    }

    static IEnumerable<ConfigError> Nested(string prefix, IEnumerable<ConfigError> errors) =>
        errors.Select(e => e with { Key = prefix + "." + e.Key });
}
