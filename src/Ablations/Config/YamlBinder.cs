using System.Collections;
using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ablations.Config;

/// <summary>
/// Binds a YAML node tree onto immutable configuration records by their snake_case property names.
/// Unknown keys, wrong types and values outside an enum fail here, naming the key, where it is and
/// what is allowed. Remembers where each key was written so later validation can point at it.
/// </summary>
public sealed class YamlBinder
{
    readonly string _source;
    readonly IReadOnlyDictionary<string, string> _overrides;
    readonly Dictionary<string, Mark> _marks = new();

    /// <param name="source">The file the tree was read from, named in every error.</param>
    /// <param name="overrides">Key paths set from the command line (path to the "--set k=v" text), named instead of the file.</param>
    public YamlBinder(string source, IReadOnlyDictionary<string, string>? overrides = null)
    {
        _source = source;
        _overrides = overrides ?? new Dictionary<string, string>();
    }

    /// <summary>The "--set" text that wrote <paramref name="path"/> or one of its ancestors, if any.</summary>
    public string? OverrideOf(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
            if (_overrides.TryGetValue(p, out var text)) return text;
        return null;
    }

    /// <summary>The error for <paramref name="key"/>, located where the key (or its nearest written ancestor) was written.</summary>
    public ConfigException ErrorAt(string key, string message)
    {
        var set = OverrideOf(key);
        if (set != null) return new ConfigException(message, set, key: key);
        for (var p = key; p.Length > 0; p = Parent(p))
            if (_marks.TryGetValue(p, out var mark)) return new ConfigException(message, _source, (int)mark.Line, (int)mark.Column, key);
        return new ConfigException(message, _source, key: key);
    }

    /// <summary>The enclosing key: model.attention for model.attention.window, data.paths for data.paths[2].</summary>
    static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }

    /// <summary>Where each bound key path (e.g. model.attention.n_heads) was written.</summary>
    public IReadOnlyDictionary<string, Mark> Marks => _marks;

    public T Bind<T>(YamlMappingNode root, string prefix = "") where T : new() =>
        (T)BindRecord(typeof(T), root, prefix);

    object BindRecord(Type type, YamlMappingNode map, string path)
    {
        var instance = Activator.CreateInstance(type)!;
        var props = SettableProperties(type);
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var keyPath = Join(path, key);
            if (!props.TryGetValue(key, out var prop))
                throw Error(keyNode.Start, keyPath,
                    $"unknown key '{key}'; allowed keys{(path.Length > 0 ? " in " + path : "")}: {string.Join(", ", props.Keys)}");
            _marks[keyPath] = keyNode.Start;
            prop.SetValue(instance, BindValue(prop.PropertyType, valueNode, keyPath, prop.GetValue(instance), AcceptsNull(prop)));
        }
        return instance;
    }

    /// <param name="current">The property's value before binding (its default): a family keeps its default kind when <c>kind:</c> is absent.</param>
    /// <param name="acceptsNull">False for a property declared non-nullable: an empty section (model:) is refused, not bound as null.</param>
    object? BindValue(Type type, YamlNode node, string path, object? current = null, bool acceptsNull = true)
    {
        if (TryBindRaw(type, node, path, out var raw)) return raw;
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is YamlScalarNode s && IsNull(s))
        {
            if (underlying != null || (!type.IsValueType && acceptsNull)) return null;
            throw Error(node.Start, path, $"a value is required ({Describe(type)})");
        }
        type = underlying ?? type;

        if (ConfigFamily.IsFamily(type))
        {
            if (node is not YamlMappingNode fm)
                throw Error(node.Start, path, $"expected a mapping with kind: {ConfigFamily.AllowedKinds(type)}");
            return BindFamily(type, fm, path, current);
        }
        if (IsRecord(type))
        {
            if (node is not YamlMappingNode m)
                throw Error(node.Start, path, $"expected a mapping of keys ({string.Join(", ", SettableProperties(type).Keys)})");
            return BindRecord(type, m, path);
        }
        if (TryElementType(type, out var element))
        {
            if (node is not YamlSequenceNode seq)
                throw Error(node.Start, path, $"expected a list of {Describe(element)}");
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            int i = 0;
            foreach (var item in seq.Children)
            {
                var itemPath = $"{path}[{i++}]";
                _marks[itemPath] = item.Start;   // so a later check on one item can point at it
                list.Add(BindValue(element, item, itemPath));
            }
            if (type.IsArray)
            {
                var array = Array.CreateInstance(element, list.Count);
                list.CopyTo(array, 0);
                return array;
            }
            return list;
        }
        if (node is not YamlScalarNode scalar)
            throw Error(node.Start, path, $"expected {Describe(type)}, got a {(node is YamlMappingNode ? "mapping" : "list")}");
        return ConvertScalar(type, scalar.Value ?? "", node.Start, path);
    }

    /// <summary>
    /// Binds a family member: <c>kind:</c> (or the default's kind when absent) picks the record; a key that another
    /// kind of the family takes is an error naming the kinds it belongs to.
    /// </summary>
    object BindFamily(Type family, YamlMappingNode map, string path, object? current)
    {
        var kindType = ConfigFamily.KindType(family);
        object kind;
        if (map.Children.TryGetValue(new YamlScalarNode("kind"), out var kindNode))
        {
            var text = (kindNode as YamlScalarNode)?.Value;
            kind = ConfigFamily.ParseKind(family, text)
                   ?? throw Error(kindNode.Start, Join(path, "kind"), $"'{text}' is not allowed; allowed: {ConfigFamily.AllowedKinds(family)}");
        }
        else kind = current != null ? family.GetProperty("Kind")!.GetValue(current)! : ConfigFamily.Members(family)[0].Kind;
        var record = ConfigFamily.RecordFor(family, kind)!;
        var keys = ConfigFamily.KeysOf(record, kind);
        foreach (var (keyNode, _) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (keys.ContainsKey(key)) continue;
            var owners = ConfigFamily.KindsTaking(family, key);
            var name = ConfigFamily.KindName(kind);
            throw Error(keyNode.Start, Join(path, key), owners.Count > 0
                ? $"applies to kind: {string.Join(" | ", owners.Select(ConfigFamily.KindName))}, not to kind: {name}; allowed keys for {name}: {string.Join(", ", keys.Keys)}"
                : $"unknown key '{key}'; allowed keys for kind {name}{(path.Length > 0 ? " in " + path : "")}: {string.Join(", ", keys.Keys)}");
        }
        var instance = BindRecord(record, map, path);
        record.GetProperty("Kind")!.SetValue(instance, kind);
        return instance;
    }

    object ConvertScalar(Type type, string text, Mark at, string path)
    {
        var inv = CultureInfo.InvariantCulture;
        if (type == typeof(string)) return text;
        if (type == typeof(bool))
        {
            if (text is "true" or "True" or "yes" or "on") return true;
            if (text is "false" or "False" or "no" or "off") return false;
        }
        else if (type == typeof(int))
        {
            if (int.TryParse(text, NumberStyles.Integer, inv, out var i)) return i;
            if (double.TryParse(text, NumberStyles.Float, inv, out var d) && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue) return (int)d;
        }
        else if (type == typeof(long))
        {
            if (long.TryParse(text, NumberStyles.Integer, inv, out var l)) return l;
            if (double.TryParse(text, NumberStyles.Float, inv, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e18) return (long)d;
        }
        else if (type == typeof(double))
        {
            // NaN and infinities pass every range check written as a comparison, so none reaches a record.
            if (double.TryParse(text, NumberStyles.Float, inv, out var d))
                return double.IsFinite(d) ? d : throw Error(at, path, $"must be a finite number, got {d.ToString(inv)}");
            if (IsYamlNonFinite(text)) throw Error(at, path, $"must be a finite number, got {text}");
        }
        else if (type.IsEnum)
        {
            foreach (var name in Enum.GetNames(type))
                if (SnakeCase.Of(name) == text) return Enum.Parse(type, name);
            throw Error(at, path, $"'{text}' is not allowed; allowed: {SnakeCase.EnumValues(type)}");
        }
        throw Error(at, path, $"expected {Describe(type)}, got '{text}'");
    }

    ConfigException Error(Mark at, string key, string message)
    {
        var set = OverrideOf(key);
        return set != null ? new ConfigException(message, set, key: key) : new(message, _source, (int)at.Line, (int)at.Column, key);
    }

    /// <summary>YAML 1.1's spellings of NaN and the infinities (.nan, .inf, -.Inf, ...), which .NET does not parse.</summary>
    static bool IsYamlNonFinite(string text) =>
        text.TrimStart('+', '-').ToLowerInvariant() is ".nan" or ".inf";

    static readonly NullabilityInfoContext Nullability = new();

    static bool AcceptsNull(PropertyInfo prop)
    {
        lock (Nullability) return Nullability.Create(prop).WriteState != NullabilityState.NotNull;
    }

    static bool IsNull(YamlScalarNode s) =>
        s.Style == ScalarStyle.Plain && (s.Value is null or "" or "~" or "null" or "Null" or "NULL");

    static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    /// <summary>A configuration record: a class of this assembly with a parameterless constructor, or a family of them.</summary>
    public static bool IsRecord(Type t) =>
        t.IsClass && t != typeof(string) && t.Assembly == typeof(YamlBinder).Assembly
        && (t.GetConstructor(Type.EmptyTypes) != null || ConfigFamily.IsFamily(t));

    /// <summary>
    /// YAML kept as written, to be applied later as overrides: a YamlNode property takes the node itself (null
    /// included, since setting a key to null means something), and a string-keyed dictionary takes a mapping's
    /// entries in file order, each bound by its value type (e.g. dotted key to node, or to a list of nodes).
    /// </summary>
    bool TryBindRaw(Type type, YamlNode node, string path, out object? value)
    {
        value = null;
        if (typeof(YamlNode).IsAssignableFrom(type))
        {
            if (!type.IsInstanceOfType(node))
                throw Error(node.Start, path, $"expected {Describe(type)}, got a {KindOf(node)}");
            value = node;
            return true;
        }
        if (!TryMapValueType(type, out var valueType)) return false;
        var map = (IDictionary)Activator.CreateInstance(typeof(OrderedDictionary<,>).MakeGenericType(typeof(string), valueType))!;
        if (node is YamlScalarNode s && IsNull(s)) { value = map; return true; }
        if (node is not YamlMappingNode entries)
            throw Error(node.Start, path, $"expected {Describe(type)}, got a {KindOf(node)}");
        foreach (var (keyNode, valueNode) in entries.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                throw Error(keyNode.Start, path, "expected a plain key");
            var keyPath = Join(path, key);
            _marks[keyPath] = keyNode.Start;
            map.Add(key, BindValue(valueType, valueNode, keyPath));
        }
        value = map;
        return true;
    }

    /// <summary>A mapping from names to values: IReadOnlyDictionary&lt;string, V&gt;, bound in key order.</summary>
    static bool TryMapValueType(Type t, out Type valueType)
    {
        valueType = typeof(object);
        if (!t.IsGenericType || t.GetGenericTypeDefinition() != typeof(IReadOnlyDictionary<,>) || t.GetGenericArguments()[0] != typeof(string))
            return false;
        valueType = t.GetGenericArguments()[1];
        return true;
    }

    static string KindOf(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "single value",
    };

    public static bool TryElementType(Type t, out Type element)
    {
        if (t.IsArray) { element = t.GetElementType()!; return true; }
        if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) || t.GetGenericTypeDefinition() == typeof(List<>)))
        { element = t.GetGenericArguments()[0]; return true; }
        element = typeof(object);
        return false;
    }

    /// <summary>The YAML keys of a record type, in declaration order, with the property each one sets.</summary>
    /// <summary>
    /// The YAML keys of a record type with the property each one sets: a base record's keys first (a family's
    /// kind opens its section), then the type's own in declaration order. For a family, every key of any kind.
    /// </summary>
    public static Dictionary<string, PropertyInfo> SettableProperties(Type type)
    {
        if (ConfigFamily.IsFamily(type)) return ConfigFamily.UnionOfKeys(type);
        var result = new Dictionary<string, PropertyInfo>();
        var chain = new List<Type>();
        for (var t = type; t != null && t != typeof(object); t = t.BaseType) chain.Insert(0, t);
        foreach (var level in chain)
            foreach (var p in level.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                if (p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
                    result.TryAdd(SnakeCase.Of(p.Name), p);
        return result;
    }

    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string";
        if (type.IsEnum) return "one of " + SnakeCase.EnumValues(type);
        if (type == typeof(YamlMappingNode)) return "a mapping";
        if (typeof(YamlNode).IsAssignableFrom(type)) return "values";   // reads as "a list of values", "a mapping of keys to values"
        if (TryMapValueType(type, out var v)) return "a mapping of keys to " + Describe(v);
        if (TryElementType(type, out var e)) return "a list of " + Describe(e);
        return "a mapping";
    }
}
