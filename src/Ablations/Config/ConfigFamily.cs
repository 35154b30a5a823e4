using System.Collections.Concurrent;
using System.Reflection;

namespace Ablations.Config;

/// <summary>
/// A closed family of configuration records chosen by <c>kind:</c>: an abstract record with an enum
/// <c>Kind</c> property, and the records of its assembly that derive from it and carry
/// <see cref="ConfigKindAttribute"/>. The binder, the --set overrides and the writer all ask this class which
/// record a kind is and which keys it takes, so a new kind is one record and no switch anywhere.
/// </summary>
public static class ConfigFamily
{
    static readonly ConcurrentDictionary<Type, IReadOnlyList<(object Kind, Type Record)>> Cache = new();

    /// <summary>Whether <paramref name="type"/> is the abstract base of a family.</summary>
    public static bool IsFamily(Type type) =>
        type.IsAbstract && type.IsClass && type.GetProperty("Kind")?.PropertyType.IsEnum == true;

    public static Type KindType(Type family) => family.GetProperty("Kind")!.PropertyType;

    /// <summary>Every (kind, record) of the family, in the enum's order.</summary>
    public static IReadOnlyList<(object Kind, Type Record)> Members(Type family) => Cache.GetOrAdd(family, f =>
    {
        var members = f.Assembly.GetTypes()
            .Where(t => !t.IsAbstract && f.IsAssignableFrom(t))
            .SelectMany(t => (t.GetCustomAttribute<ConfigKindAttribute>()?.Kinds ?? Array.Empty<object>()).Select(k => (Kind: k, Record: t)))
            .ToList();
        return Enum.GetValues(KindType(f)).Cast<object>()
            .Select(k => members.FirstOrDefault(m => m.Kind.Equals(k)))
            .Where(m => m.Record != null)
            .ToList();
    });

    /// <summary>The kinds a YAML file may name, e.g. "mha | gqa | mqa | mla".</summary>
    public static string AllowedKinds(Type family) => string.Join(" | ", Members(family).Select(m => KindName(m.Kind)));

    public static string KindName(object kind) => SnakeCase.Of(kind.ToString()!);

    /// <summary>The record that a kind of the family binds to, or null when the kind is not registered.</summary>
    public static Type? RecordFor(Type family, object kind) => Members(family).FirstOrDefault(m => m.Kind.Equals(kind)).Record;

    /// <summary>The kind that <paramref name="text"/> spells, or null.</summary>
    public static object? ParseKind(Type family, string? text) =>
        Members(family).Select(m => m.Kind).FirstOrDefault(k => KindName(k) == text);

    /// <summary>The YAML keys the given kind takes, with the property each sets (kind first, then base keys).</summary>
    public static Dictionary<string, PropertyInfo> KeysOf(Type record, object kind) =>
        YamlBinder.SettableProperties(record)
            .Where(p => p.Value.GetCustomAttribute<OnlyForKindsAttribute>() is not { } only || only.Kinds.Contains(kind))
            .ToDictionary(p => p.Key, p => p.Value);

    /// <summary>The kinds of the family that take <paramref name="key"/>, e.g. "mla" for kv_lora_rank.</summary>
    public static IReadOnlyList<object> KindsTaking(Type family, string key) =>
        Members(family).Where(m => KeysOf(m.Record, m.Kind).ContainsKey(key)).Select(m => m.Kind).ToList();

    /// <summary>Every key any kind of the family takes (for resolving dotted --set keys).</summary>
    public static Dictionary<string, PropertyInfo> UnionOfKeys(Type family)
    {
        var union = new Dictionary<string, PropertyInfo>();
        foreach (var (kind, record) in Members(family))
            foreach (var (key, prop) in KeysOf(record, kind))
                union.TryAdd(key, prop);
        return union;
    }

    /// <summary>
    /// Errors for keys of a record built in code (not from YAML, where the binder already refuses them) that hold
    /// a value although the record's kind does not take them.
    /// </summary>
    public static IEnumerable<ConfigError> StrayKeys(object record)
    {
        var kind = record.GetType().GetProperty("Kind")!.GetValue(record)!;
        foreach (var (key, prop) in YamlBinder.SettableProperties(record.GetType()))
            if (prop.GetCustomAttribute<OnlyForKindsAttribute>() is { } only && !only.Kinds.Contains(kind) && prop.GetValue(record) != null)
                yield return new ConfigError(key, $"applies to kind: {string.Join(" | ", only.Kinds.Select(KindName))}, not to kind: {KindName(kind)}");
    }
}
