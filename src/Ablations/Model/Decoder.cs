using Ablations.Common;
using Ablations.Model.FeedForward;
using Ablations.Model.Positions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// What one decoder call returns: logits [batch, time, vocab], the summed MoE balance loss if any, the largest
/// attention logit when it was asked for (negative infinity otherwise), and the tokens each MoE layer routed to
/// each expert, [moe layers, experts] (null without MoE), left on the device.
/// </summary>
public sealed record DecoderOutput(Tensor Logits, Tensor? AuxLoss, double MaxAttentionLogit, Tensor? ExpertLoad = null);

/// <summary>
/// A decoder-only language model assembled from the configuration: token (and optionally learned position)
/// embeddings, one block per entry of the layer plan, a final norm and the output head (tied or not).
/// </summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>, ILanguageModel
{
    readonly Embedding embed_tokens;
    readonly Embedding? embed_positions;
    readonly ModuleList<DecoderBlock> layers;
    readonly nn.Module<Tensor, Tensor>? final_norm;
    readonly Linear? lm_head;
    readonly PerLayerEmbeddings? per_layer_embeddings;
    readonly double _embeddingScale;

    /// <param name="seed">Seeds the initial weights through a private generator, so building a model is deterministic
    /// whatever else uses torch's global random state.</param>
    /// <param name="device">Where the model lives: each layer's attention kernel is chosen for it, and the weights move there.</param>
    public Decoder(ModelConfig config, long seed = 0, Device? device = null) : base(nameof(Decoder))
    {
        Config = config;
        Plan = LayerPlan.From(config);
        embed_tokens = nn.Embedding(config.VocabSize, config.DModel);
        if (config.Positions.TableRows(config) is > 0 and var rows) embed_positions = nn.Embedding(rows, config.DModel);
        layers = new ModuleList<DecoderBlock>(Plan.Layers.Select(l => DecoderBlock.Create(config, l, (device ?? CPU).type)).ToArray());
        if (DecoderBlock.NeedsFinalNorm(config.Norm.Placement)) final_norm = config.Norm.Build(config.DModel);
        if (config.PerLayerEmbeddings is { } ple) per_layer_embeddings = new PerLayerEmbeddings(config, ple);
        if (!config.TieEmbeddings) lm_head = nn.Linear(config.DModel, config.VocabSize, hasBias: false);
        _embeddingScale = config.EmbeddingScale == EmbeddingScale.SqrtDModel ? Math.Sqrt(config.DModel) : 1.0;
        RegisterComponents();
        Initialize(seed);
        if (device != null && device.type != DeviceType.CPU) this.to(device);
    }

    public ModelConfig Config { get; }

    MixedPrecision _precision = new(Ablations.Config.Precision.Fp32);

    /// <summary>
    /// fp32 (default) or bf16 mixed precision (<see cref="MixedPrecision"/>): what matrix products and attention
    /// compute in. The weights stay float32 either way; setting it drops any cached bf16 copies.
    /// </summary>
    public Ablations.Config.Precision Precision
    {
        get => _precision.Precision;
        set
        {
            if (value == _precision.Precision) return;
            _precision.Dispose();
            _precision = new MixedPrecision(value);
        }
    }

    /// <summary>The bf16 weight copies of this model (empty in fp32).</summary>
    public Bf16WeightCache CastWeights => _precision.Weights;

    /// <summary>The weights changed outside an optimiser step (a checkpoint load): cached bf16 copies are stale.</summary>
    public void WeightsChanged() => _precision.Invalidate();

    /// <summary>Nested sub-models the feed-forward blocks hold (MatFormer), all trained together; 1 otherwise.</summary>
    public int Granularities => Config.FeedForward.GranularityCount;
    public LayerPlan Plan { get; }
    public IReadOnlyList<DecoderBlock> Layers => layers.ToList();

    public override Tensor forward(Tensor tokens) => Forward(tokens).Logits;

    /// <summary>
    /// tokens: [batch, time]. With a cache, the tokens continue the sequence the cache holds (incremental
    /// decoding); without one, they start at position 0 (training, evaluation).
    /// </summary>
    public DecoderOutput Forward(Tensor tokens, DecoderCache? cache = null, bool recordAttentionLogits = false, int? granularity = null)
    {
        if (granularity is int g && (g < 0 || g >= Granularities))
            throw new ArgumentOutOfRangeException(nameof(granularity), $"granularity {g}, but the model has {Granularities}");
        var start = cache?.Position ?? 0;
        var t = tokens.shape[1];
        if (start + t > Config.ContextLength && Config.Positions is not NoPositionConfig)
            throw new ArgumentException($"{start + t} positions exceed the model's context_length {Config.ContextLength}");
        using var scope = NewDisposeScope();
        var context = new ForwardContext(start, cache, recordAttentionLogits, granularity, _precision);
        var x = embed_tokens.call(tokens);                                              // [batch, time, d_model]
        if (_embeddingScale != 1.0) x = x * Scalars.Of(_embeddingScale);
        if (embed_positions != null) x = x + embed_positions.call(arange(start, start + t, device: tokens.device));
        if (Config.Dropout > 0 && training) x = nn.functional.dropout(x, Config.Dropout, training);
        var perLayer = per_layer_embeddings?.Inputs(tokens);                              // [batch, time, n_layers, dim]
        for (int i = 0; i < layers.Count; i++)
        {
            x = layers[i].Forward(x, context);
            if (perLayer is not null) x = per_layer_embeddings!.Apply(i, x, perLayer, _precision);
        }
        if (final_norm != null) x = final_norm.call(x);
        var logits = lm_head != null ? _precision.Linear(lm_head, x) : _precision.Linear(x, _precision.Weight(embed_tokens));  // [batch, time, vocab]
        logits = MixedPrecision.Full(logits);                                          // the soft-cap and the loss in float32
        if (Config.FinalLogitSoftcap is double cap) logits = SoftCap.Apply(logits, cap);                 // Gemma 2
        if (cache != null) cache.Position = start + t;
        return new DecoderOutput(logits.MoveToOuterDisposeScope(), context.AuxLoss()?.MoveToOuterDisposeScope(), context.MaxAttentionLogit,
            context.ExpertLoad()?.MoveToOuterDisposeScope());
    }

    /// <summary>An empty KV cache for incremental decoding.</summary>
    public DecoderCache NewCache() => new(layers.Select(l => l.AttentionModule.NewCache()).ToArray());

    /// <summary>The MoE routers, in layer order (empty for a dense model).</summary>
    public IEnumerable<TopKRouter> Routers =>
        layers.Select(l => l.FeedForwardModule).OfType<MoeFeedForward>().Select(m => m.Router);

    /// <summary>After each optimiser step: DeepSeek-V3's auxiliary-loss-free bias update from the step's load, router by router.</summary>
    public void AfterOptimizerStep(Tensor? expertLoad)
    {
        _precision.Invalidate();                                                        // the weights moved: new bf16 copies next step
        if (expertLoad is null) return;
        int i = 0;
        foreach (var r in Routers) r.UpdateBias(expertLoad[i++]);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _precision.Dispose();
        base.Dispose(disposing);
    }

    public long ParameterCount() => parameters().Sum(p => p.NumberOfElements);

    /// <summary>
    /// Normal(0, init_std) for every matrix and embedding (resolved by <see cref="ModelConfig.InitialStd"/>); the
    /// projections that write into the residual stream (attention output, feed-forward down) are scaled by
    /// 1/sqrt(2 n_layers) as in GPT-2.
    /// </summary>
    void Initialize(long seed)
    {
        using var noGrad = no_grad();
        using var generator = new Generator((ulong)seed);
        var residualStd = Config.InitialStd / Math.Sqrt(2.0 * Config.NLayers);
        foreach (var (name, p) in named_parameters())
        {
            if (p.dim() < 2) continue;
            var std = name.EndsWith("o_proj.weight") || name.Contains("down_proj") ? residualStd : Config.InitialStd;
            p.normal_(0, std, generator);   // (nn.init.normal_ in TorchSharp 0.107 ignores its generator)
        }
    }
}
