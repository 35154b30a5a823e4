using Ablations.Config;
using Ablations.Model;

namespace Ablations.Training;

/// <summary>
/// The root of a configuration file: the model, the data and how to train it; presets also carry the
/// published figures to compare with.
/// </summary>
public sealed record RunConfig : IValidatable
{
    public ModelConfig Model { get; init; } = new();
    public DataConfig Data { get; init; } = new();
    public TrainConfig Train { get; init; } = new();
    public ReferenceConfig? Reference { get; init; }

    /// <summary>
    /// Reads a run configuration file once: syntax, keys, types and consistency, with --set overrides applied.
    /// The file must describe its model: an empty or comment-only file would otherwise train the default model.
    /// </summary>
    public static RunConfig Load(string path, IEnumerable<string>? overrides = null) => ConfigLoader.Load<RunConfig>(path, overrides, requiredSection: "model");

    /// <summary>Tokens per training sequence.</summary>
    public int SequenceLength => Train.Context > 0 ? Train.Context : Model.ContextLength;

    public IEnumerable<ConfigError> Validate()
    {
        foreach (var e in Model.Validate()) yield return e with { Key = "model." + e.Key };
        foreach (var e in Data.Validate()) yield return e with { Key = "data." + e.Key };
        foreach (var e in Train.Validate()) yield return e with { Key = "train." + e.Key };
        if (Train.Steps > 0 && Train.BatchSize > 0 && Train.GradAccum > 0 && (double)Train.BatchSize * Train.GradAccum <= SizeLimits.Sequences
            && SizeLimits.Product("train.steps", "training tokens",
                SizeLimits.TrainingTokens, ("steps", Train.Steps), ("batch_size", Train.BatchSize), ("grad_accum", Train.GradAccum),
                ("sequence length", SequenceLength)) is { } tooMany) yield return tooMany;
        if (Train.Context > Model.ContextLength)
            yield return new("train.context", $"{Train.Context} is longer than model.context_length = {Model.ContextLength}");
        if (Data.Source == DataSource.Tokens && Data.VocabSize > Model.VocabSize)
            yield return new("model.vocab_size", $"{Model.VocabSize} is smaller than data.vocab_size = {Data.VocabSize}, the ids of the token files; set it to at least {Data.VocabSize}");
        if (Data.Source == DataSource.Recall && Data.Recall.SequenceLength > SequenceLength)
            yield return new("data.recall.distance",
                $"a recall sequence is {Data.Recall.SequenceLength} tokens (distance, then the repeat or the queries) but training sequences are {SequenceLength}; shorten distance or raise train.context");
    }
}
