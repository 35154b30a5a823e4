using Ablations.Config;

namespace Ablations.Model;

/// <summary>
/// Gemma 3n's per-layer embeddings (PLE): every layer gets its own small embedding of the token (width dim),
/// mixed into the residual stream by a gated branch after the layer. The tables are large but only read, one row
/// per token, so Gemma 3n streams them from CPU or flash; its "effective" parameter count leaves them out.
/// </summary>
public sealed record PerLayerEmbeddingsConfig : IValidatable
{
    /// <summary>Width of each layer's embedding (Gemma 3n: 256).</summary>
    public int Dim { get; init; } = 256;

    /// <summary>The tables: vocab_size rows of n_layers x dim.</summary>
    public long TableParameters(ModelConfig model) => (long)model.VocabSize * model.NLayers * Dim;

    /// <summary>Each layer's gate (d_model to dim), projection (dim to d_model) and norm.</summary>
    public long BranchParameters(ModelConfig model) => 2L * model.DModel * Dim + model.Norm.ParameterCount(model.DModel);

    public IEnumerable<ConfigError> Validate()
    {
        if (Dim <= 0) yield return new("dim", $"must be a positive integer, got {Dim}");
        foreach (var e in SizeLimits.Above(("dim", Dim, SizeLimits.Heads))) yield return e;
    }
}
