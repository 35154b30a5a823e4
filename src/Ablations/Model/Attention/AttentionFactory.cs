using Ablations.Config;

namespace Ablations.Model.Attention;

/// <summary>The one place an attention kind becomes a module, and where its analytic counts are chosen.</summary>
public static class AttentionFactory
{
    public static CausalSelfAttention Create(ModelConfig model, LayerSpec layer) => model.Attention.Kind switch
    {
        AttentionKind.Mla => new MultiHeadLatentAttention(model, layer),
        _ => new GroupedQueryAttention(model, layer),
    };

    public static long ParameterCount(ModelConfig model) => model.Attention.Kind == AttentionKind.Mla
        ? MultiHeadLatentAttention.ParameterCount(model)
        : GroupedQueryAttention.ParameterCount(model);

    /// <summary>Elements cached per token in one layer.</summary>
    public static long KvElementsPerToken(ModelConfig model) => model.Attention.Kind == AttentionKind.Mla
        ? MultiHeadLatentAttention.KvElementsPerToken(model)
        : GroupedQueryAttention.KvElementsPerToken(model);

    /// <summary>Query-key width and value width per head, for attention-score FLOPs.</summary>
    public static (long Qk, long V) HeadWidths(ModelConfig model) => model.Attention.Kind == AttentionKind.Mla
        ? (model.Attention.QkNopeHeadDim!.Value + model.Attention.QkRopeHeadDim!.Value, model.Attention.VHeadDim!.Value)
        : (model.Attention.ResolvedHeadDim(model.DModel), model.Attention.ResolvedHeadDim(model.DModel));
}
