using Ablations.Model.Attention;
using Ablations.Model.FeedForward;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// One transformer layer: attention and feed-forward, each a residual branch. Each norm placement is a
/// subclass whose Forward is the two lines of its figure; nothing else differs between them.
/// </summary>
public abstract class DecoderBlock : nn.Module
{
    protected readonly CausalSelfAttention attention;   // protected so RegisterComponents in the subclass sees it
    protected readonly FeedForwardModule feed_forward;
    readonly double _dropout;

    protected DecoderBlock(string name, ModelConfig model, LayerSpec layer, DeviceType device) : base(name)
    {
        Layer = layer;
        _dropout = model.Dropout;
        attention = layer.Attention.Build(model, layer, device);
        feed_forward = layer.FeedForward.Build(model, layer);
    }

    public LayerSpec Layer { get; }
    public CausalSelfAttention AttentionModule => attention;
    public FeedForwardModule FeedForwardModule => feed_forward;

    /// <summary>x: [batch, time, d_model] to the same shape.</summary>
    public abstract Tensor Forward(Tensor x, ForwardContext context);

    protected Tensor Attn(Tensor x, ForwardContext context) => Drop(attention.Forward(x, context));
    protected Tensor Ffn(Tensor x, ForwardContext context) => Drop(feed_forward.Forward(x, context));

    protected static nn.Module<Tensor, Tensor> Norm(ModelConfig model) => model.Norm.Build(model.DModel);

    Tensor Drop(Tensor x) => _dropout > 0 && training ? nn.functional.dropout(x, _dropout, training) : x;

    public static DecoderBlock Create(ModelConfig model, LayerSpec layer, DeviceType device) => model.Norm.Placement switch
    {
        NormPlacement.Pre => new PreNormBlock(model, layer, device),
        NormPlacement.Post => new PostNormBlock(model, layer, device),
        NormPlacement.Olmo2 => new Olmo2NormBlock(model, layer, device),
        NormPlacement.Sandwich => new SandwichNormBlock(model, layer, device),
        _ => throw new ArgumentOutOfRangeException(nameof(model)),
    };

    /// <summary>Norms per block: two, or four for the sandwich.</summary>
    public static int NormsPerBlock(NormPlacement placement) => placement == NormPlacement.Sandwich ? 4 : 2;

    /// <summary>Whether the decoder ends with a final norm before the output head (all but Post-Norm, whose last add is already normalised).</summary>
    public static bool NeedsFinalNorm(NormPlacement placement) => placement != NormPlacement.Post;
}

/// <summary>Pre-Norm (GPT-2, Llama; Xiong et al. 2020, arXiv 2002.04745): the norm opens each branch.</summary>
public sealed class PreNormBlock : DecoderBlock
{
    readonly nn.Module<Tensor, Tensor> attn_norm, ffn_norm;

    public PreNormBlock(ModelConfig model, LayerSpec layer, DeviceType device) : base(nameof(PreNormBlock), model, layer, device)
    {
        (attn_norm, ffn_norm) = (Norm(model), Norm(model));
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext c)
    {
        x = x + Attn(attn_norm.call(x), c);
        return x + Ffn(ffn_norm.call(x), c);
    }
}

/// <summary>Post-Norm (the original Transformer, arXiv 1706.03762): the norm follows the residual add.</summary>
public sealed class PostNormBlock : DecoderBlock
{
    readonly nn.Module<Tensor, Tensor> attn_norm, ffn_norm;

    public PostNormBlock(ModelConfig model, LayerSpec layer, DeviceType device) : base(nameof(PostNormBlock), model, layer, device)
    {
        (attn_norm, ffn_norm) = (Norm(model), Norm(model));
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext c)
    {
        x = attn_norm.call(x + Attn(x, c));
        return ffn_norm.call(x + Ffn(x, c));
    }
}

/// <summary>OLMo 2 (arXiv 2501.00656): the norm closes each branch, still inside the residual.</summary>
public sealed class Olmo2NormBlock : DecoderBlock
{
    readonly nn.Module<Tensor, Tensor> attn_norm, ffn_norm;

    public Olmo2NormBlock(ModelConfig model, LayerSpec layer, DeviceType device) : base(nameof(Olmo2NormBlock), model, layer, device)
    {
        (attn_norm, ffn_norm) = (Norm(model), Norm(model));
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext c)
    {
        x = x + attn_norm.call(Attn(x, c));
        return x + ffn_norm.call(Ffn(x, c));
    }
}

/// <summary>Sandwich (Gemma 2 and 3, arXiv 2503.19786): a norm before and after each branch.</summary>
public sealed class SandwichNormBlock : DecoderBlock
{
    readonly nn.Module<Tensor, Tensor> pre_attn_norm, post_attn_norm, pre_ffn_norm, post_ffn_norm;

    public SandwichNormBlock(ModelConfig model, LayerSpec layer, DeviceType device) : base(nameof(SandwichNormBlock), model, layer, device)
    {
        (pre_attn_norm, post_attn_norm, pre_ffn_norm, post_ffn_norm) = (Norm(model), Norm(model), Norm(model), Norm(model));
        RegisterComponents();
    }

    public override Tensor Forward(Tensor x, ForwardContext c)
    {
        x = x + post_attn_norm.call(Attn(pre_attn_norm.call(x), c));
        return x + post_ffn_norm.call(Ffn(pre_ffn_norm.call(x), c));
    }
}
