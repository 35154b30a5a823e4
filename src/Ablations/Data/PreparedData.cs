namespace Ablations.Data;

/// <summary>Everything the trainer needs from the data: batches, vocabulary, bytes per token and any known loss floor.</summary>
public sealed class PreparedData : IDisposable
{
    public required string Description { get; init; }
    /// <summary>For corpora and token files: how the validation split was made and the tokens on each side, in words.</summary>
    public string? Split { get; init; }
    public required IBatchSource Train { get; init; }
    public required IBatchSource Validation { get; init; }
    public required int VocabSize { get; init; }
    /// <summary>Text bytes per token in the validation split, to turn nats per token into bits per byte.</summary>
    public required double BytesPerToken { get; init; }
    public required long TrainTokens { get; init; }
    public required long ValidationTokens { get; init; }
    /// <summary>The lowest loss any model can reach (nats per scored token), when the source knows it.</summary>
    public double? LossFloor { get; init; }
    public string? LossFloorNote { get; init; }
    /// <summary>For text sources: how to turn tokens back into text (generation).</summary>
    public ITokenizer? Tokenizer { get; init; }
    public CorpusInfo? Corpus { get; init; }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
