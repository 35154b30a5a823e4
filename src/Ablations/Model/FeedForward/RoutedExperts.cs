using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model.FeedForward;

/// <summary>
/// The routed experts with stacked weights [experts, ...]. Dispatch is by tensor operations only, as in
/// torchtitan's MoE: sort the (token, expert) assignments by expert (stable), place them in a padded
/// [experts, capacity, d_model] buffer, run every expert at once with batched matrix products, then
/// scatter-add the weighted outputs back to their tokens. No token is dropped: capacity is the largest load.
/// </summary>
public sealed class RoutedExperts : nn.Module
{
    readonly TorchSharp.Modules.Parameter? gate_proj;   // [experts, d_model, hidden] (gated kinds only)
    readonly TorchSharp.Modules.Parameter up_proj;      // [experts, d_model, hidden]
    readonly TorchSharp.Modules.Parameter down_proj;    // [experts, hidden, d_model]
    readonly FeedForwardConfig _expert;
    readonly long _experts;

    public RoutedExperts(long dModel, FeedForwardConfig expert, MoeConfig config) : base(nameof(RoutedExperts))
    {
        _expert = expert;
        _experts = config.NExperts;
        long h = config.ExpertHidden;
        if (expert.MatricesPerHidden == 3) gate_proj = new TorchSharp.Modules.Parameter(empty(_experts, dModel, h));
        up_proj = new TorchSharp.Modules.Parameter(empty(_experts, dModel, h));
        down_proj = new TorchSharp.Modules.Parameter(empty(_experts, h, dModel));
        RegisterComponents();
    }

    /// <summary>
    /// x: [tokens, d_model]; experts, weights: [tokens, k]. Returns [tokens, d_model]. In bf16 the expert products
    /// run in bfloat16 and the weighted sum over a token's experts in float32.
    /// </summary>
    public Tensor Forward(Tensor x, Tensor experts, Tensor weights, MixedPrecision? precision = null)
    {
        var mp = precision ?? MixedPrecision.Fp32;
        using var scope = NewDisposeScope();
        var (tokens, d) = (x.shape[0], x.shape[1]);
        var k = experts.shape[1];
        var (sortedExpert, order) = experts.flatten().sort(stable: true);             // [tokens*k]
        var tokenOf = order.div(k, rounding_mode: RoundingMode.floor);                  // which token each assignment came from
        var load = zeros(_experts, ScalarType.Int64, x.device).scatter_add_(0, sortedExpert, ones_like(sortedExpert));
        var capacity = load.max().item<long>();
        var firstOf = load.cumsum(0) - load;                                            // first sorted slot of each expert
        var rank = arange(sortedExpert.shape[0], device: x.device) - firstOf.index_select(0, sortedExpert);
        var slot = sortedExpert * capacity + rank;                                      // row in the padded buffer

        var outType = x.dtype;
        x = mp.Compute(x);
        var buffer = zeros(_experts * capacity, d, dtype: x.dtype, device: x.device)
            .index_copy(0, slot, x.index_select(0, tokenOf))
            .view(_experts, capacity, d);                                               // [experts, capacity, d_model]
        var up = buffer.bmm(mp.Weight(up_proj));                                        // [experts, capacity, hidden]
        var hidden = _expert.Activate(gate_proj is null ? null : buffer.bmm(mp.Weight(gate_proj)), up);
        var outRows = hidden.bmm(mp.Weight(down_proj)).view(_experts * capacity, d).index_select(0, slot);   // [tokens*k, d_model]
        if (outRows.dtype != outType) outRows = outRows.to(outType);
        var weighted = outRows * weights.flatten().index_select(0, order).unsqueeze(1).to(outRows.dtype);
        return zeros(tokens, d, dtype: outType, device: x.device).index_add(0, tokenOf, weighted, 1.0).MoveToOuterDisposeScope();
    }
}
