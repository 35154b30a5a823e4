using Ablations.Model.Attention;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// What one decoder call shares with its layers: the absolute position of its first token, the cache
/// (null when training), and the auxiliary losses the MoE layers add.
/// </summary>
public sealed class ForwardContext
{
    public ForwardContext(long start, DecoderCache? cache)
    {
        Start = start;
        Cache = cache;
    }

    public long Start { get; }
    public DecoderCache? Cache { get; }

    /// <summary>The cache of layer <paramref name="index"/>, or null when not decoding incrementally.</summary>
    public KvCache? CacheOf(int index) => Cache?.Layers[index];

    /// <summary>Sum of the auxiliary (load-balancing) losses added by the layers, or null.</summary>
    public Tensor? AuxLoss { get; private set; }

    public void AddAuxLoss(Tensor loss) => AuxLoss = AuxLoss is null ? loss : AuxLoss + loss;
}
