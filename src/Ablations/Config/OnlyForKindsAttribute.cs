namespace Ablations.Config;

/// <summary>
/// A key of a family record that only some of the record's kinds take (n_kv_heads belongs to gqa, not to mha
/// or mqa, which share the grouped-attention record). Elsewhere it is an error, and switching kind drops it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OnlyForKindsAttribute : Attribute
{
    public OnlyForKindsAttribute(params object[] kinds) => Kinds = kinds;

    public IReadOnlyList<object> Kinds { get; }
}
