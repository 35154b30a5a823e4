using Ablations.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.FeedForward;

/// <summary>
/// MatFormer's nested feed-forward (Devvrit et al. 2023, arXiv 2310.07707; Gemma 3n): one gated block whose
/// first w_g hidden units form a smaller block, for each granularity g, so every sub-model is a prefix of the
/// full one. Granularities are shares of hidden (ascending, the last 1.0); training optimises all of them at once
/// (the average of their losses), and `--granularity` picks one for inspect and generate.
/// </summary>
[ConfigKind(FeedForwardKind.Matformer)]
public sealed record MatFormerConfig : FeedForwardConfig
{
    public MatFormerConfig() => Kind = FeedForwardKind.Matformer;

    /// <summary>Shares of the full hidden width, ascending, ending at 1.0 (the full model).</summary>
    public IReadOnlyList<double> Granularities { get; init; } = new[] { 0.25, 0.5, 1.0 };
    /// <summary>The gate's activation: silu (SwiGLU) or gelu (GeGLU, tanh-approximated, as Gemma 3n).</summary>
    public GateActivation Gate { get; init; } = GateActivation.Silu;

    public override long ResolvedHidden(long dModel) => Hidden ?? (8 * dModel / 3 + 7) / 8 * 8;

    /// <summary>Hidden units of each granularity's sub-model, ascending (at least one).</summary>
    public long[] Widths(long dModel) =>
        Granularities.Select(g => Math.Max(1, (long)Math.Round(g * ResolvedHidden(dModel)))).ToArray();

    public override int MatricesPerHidden => 3;

    public override int GranularityCount => Granularities.Count;

    public override FeedForwardModule Build(ModelConfig model, LayerSpec layer) => new MatFormerFeedForward(model.DModel, Widths(model.DModel), this);

    public override FeedForwardModule BuildDense(long dModel, long hidden) => new SwiGlu(dModel, hidden, geluGate: Gate == GateActivation.Gelu);

    public override Tensor Activate(Tensor? gate, Tensor up) => SwiGlu.Gate(gate!, Gate == GateActivation.Gelu) * up;

    /// <summary>The dense gated block a granularity's sub-model is, for counting it.</summary>
    public override FeedForwardConfig AtGranularity(int index, long dModel) => new GatedFeedForwardConfig
    {
        Kind = Gate == GateActivation.Gelu ? FeedForwardKind.Geglu : FeedForwardKind.Swiglu,
        Hidden = (int)Widths(dModel)[index],
    };

    public override IEnumerable<ConfigError> Validate()
    {
        foreach (var e in base.Validate()) yield return e;
        if (Granularities.Count == 0 || Granularities.Any(g => !(g > 0 && g <= 1)) || Granularities[^1] != 1.0
            || Granularities.Zip(Granularities.Skip(1)).Any(p => p.First >= p.Second))
            yield return new("granularities", $"must be shares of hidden in (0, 1], ascending, ending at 1.0 (e.g. [0.25, 0.5, 1.0]); got [{string.Join(", ", Granularities)}]");
    }
}
