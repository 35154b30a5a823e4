using Ablations.Model.Attention;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// What one decoder call shares with its layers: the absolute position of its first token, the cache
/// (null when training), the model's precision (what matrix products and attention compute in), and the
/// auxiliary losses the MoE layers add.
/// </summary>
public sealed class ForwardContext
{
    public ForwardContext(long start, DecoderCache? cache, bool recordAttentionLogits = false, int? granularity = null, MixedPrecision? precision = null)
    {
        Precision = precision ?? MixedPrecision.Fp32;
        Granularity = granularity;
        Start = start;
        Cache = cache;
        RecordAttentionLogits = recordAttentionLogits;
    }

    /// <summary>When set, each attention layer reports the largest pre-softmax logit it computed (costs one extra product).</summary>
    public bool RecordAttentionLogits { get; }

    /// <summary>The largest attention logit reported in this call (negative infinity when none was).</summary>
    public double MaxAttentionLogit { get; private set; } = double.NegativeInfinity;

    public void ReportAttentionLogit(double value) => MaxAttentionLogit = Math.Max(MaxAttentionLogit, value);

    public long Start { get; }

    /// <summary>fp32 or bf16 mixed precision, with the model's cached bf16 weights.</summary>
    public MixedPrecision Precision { get; }

    /// <summary>Which nested sub-model nested feed-forward blocks run (MatFormer); null = the full model.</summary>
    public int? Granularity { get; }
    public DecoderCache? Cache { get; }

    /// <summary>The cache of layer <paramref name="index"/>, or null when not decoding incrementally.</summary>
    public KvCache? CacheOf(int index) => Cache?.Layers[index];

    readonly List<Tensor> _auxLosses = new();

    /// <summary>A layer's auxiliary (load-balancing) loss; it must live in the decoder call's dispose scope.</summary>
    public void AddAuxLoss(Tensor loss) => _auxLosses.Add(loss);

    readonly List<Tensor> _expertLoads = new();

    /// <summary>An MoE layer's tokens per expert [experts]; it must live in the decoder call's dispose scope.</summary>
    public void AddExpertLoad(Tensor load) => _expertLoads.Add(load);

    /// <summary>The MoE layers' loads stacked in layer order, [moe layers, experts], or null when there are none.</summary>
    public Tensor? ExpertLoad() => _expertLoads.Count == 0 ? null : stack(_expertLoads);

    /// <summary>Sum of the auxiliary losses the layers added, or null when none did.</summary>
    public Tensor? AuxLoss() => _auxLosses.Count == 0 ? null : _auxLosses.Count == 1 ? _auxLosses[0] : stack(_auxLosses).sum();
}
