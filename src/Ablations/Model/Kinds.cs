namespace Ablations.Model;

// One enum per component family; YAML spells each member in snake_case. A member names a kind; the record
// registered for it (ConfigKind) builds and counts it.

/// <summary>Attention: multi-head, grouped-query (arXiv 2305.13245), multi-query, multi-head latent (arXiv 2405.04434).</summary>
public enum AttentionKind { Mha, Gqa, Mqa, Mla }

/// <summary>Position information: rotary (arXiv 2104.09864), learned absolute (GPT-2), or none.</summary>
public enum PositionKind { Rope, Learned, None }

public enum NormKind { Rmsnorm, Layernorm }

/// <summary>Where the norms sit around each residual branch; see the block classes in Model/.</summary>
public enum NormPlacement { Pre, Post, Olmo2, Sandwich }

/// <summary>
/// Feed-forward: GELU MLP (GPT-2), SwiGLU (Llama, arXiv 2002.05202), GeGLU (Gemma), MatFormer's nested
/// gated block (arXiv 2310.07707, Gemma 3n).
/// </summary>
public enum FeedForwardKind { Gelu, Swiglu, Geglu, Matformer }

/// <summary>How router logits become scores: softmax (Switch, DeepSeekMoE) or sigmoid (DeepSeek-V3).</summary>
public enum RouterScoring { Softmax, Sigmoid }

/// <summary>Load balancing: an auxiliary loss, DeepSeek-V3's auxiliary-loss-free bias, or none.</summary>
public enum MoeBalancing { AuxLoss, AuxFree, None }

/// <summary>Scale applied to token embeddings: none, or sqrt(d_model) as in Gemma.</summary>
public enum EmbeddingScale { None, SqrtDModel }

public enum LayerAttentionSpan { Local, Global }
