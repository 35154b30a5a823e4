namespace Ablations.Config;

/// <summary>
/// train.precision: fp32 everywhere, bf16 mixed precision (matrix products and attention in bfloat16, everything
/// that sums or normalises in float32, fp32 master weights and optimiser state), or auto (bf16 only where the
/// device has fast bf16 and it measured faster for this model).
/// </summary>
public enum Precision { Fp32, Bf16, Auto }
