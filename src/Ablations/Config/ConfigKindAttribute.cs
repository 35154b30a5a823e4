namespace Ablations.Config;

/// <summary>
/// Registers a configuration record as a member of its family (the abstract record it derives from) for the
/// listed values of the family's <c>kind:</c> enum. This attribute is the whole registration of a new kind.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConfigKindAttribute : Attribute
{
    public ConfigKindAttribute(params object[] kinds) => Kinds = kinds;

    public IReadOnlyList<object> Kinds { get; }
}
