using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace Ablations.Common;

/// <summary>
/// Reads the JSON files the project writes (experiment.json, summary.json, latency.json...), which a user or a
/// damaged disk may have changed: a null where the record declares a value (a property, a list element or a
/// dictionary value) is refused with its path, so a hand-edited file fails at the read, not deep in a report.
/// </summary>
public static class StoredJson
{
    /// <summary>The file's record, or a <see cref="JsonException"/> naming what is missing or null.</summary>
    public static T Deserialize<T>(string text, JsonSerializerOptions options) where T : class
    {
        var value = JsonSerializer.Deserialize<T>(text, options) ?? throw new JsonException("the file holds null");
        if (FirstNull(value, "", new NullabilityInfoContext(), depth: 0) is { } path)
            throw new JsonException($"{path} is null or missing");
        return value;
    }

    static string? FirstNull(object value, string path, NullabilityInfoContext context, int depth)
    {
        if (depth > 32) return null;
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is string || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true
            && value is not IEnumerable) return null;
        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
                if (entry.Value is { } v && FirstNull(v, $"{path}[{entry.Key}]", context, depth + 1) is { } inner) return inner;
            return null;
        }
        if (value is IEnumerable list)
        {
            var i = 0;
            foreach (var item in list)
            {
                if (item is { } v && FirstNull(v, $"{path}[{i}]", context, depth + 1) is { } inner) return inner;
                i++;
            }
            return null;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod == null || property.SetMethod == null) continue;
            var name = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            var info = context.Create(property);
            var v = property.GetValue(value);
            if (v == null)
            {
                if (info.ReadState == NullabilityState.NotNull && !property.PropertyType.IsValueType) return name;
                continue;
            }
            if (info.ElementType?.ReadState == NullabilityState.NotNull && v is IEnumerable items && v is not string)
            {
                var i = 0;
                foreach (var item in items)
                {
                    if (item == null) return $"{name}[{i}]";
                    i++;
                }
            }
            if (info.GenericTypeArguments is { Length: 2 } kv && kv[1].ReadState == NullabilityState.NotNull && v is IDictionary d)
                foreach (DictionaryEntry entry in d)
                    if (entry.Value == null) return $"{name}[{entry.Key}]";
            if (info.GenericTypeArguments is { Length: 1 } one && one[0].ReadState == NullabilityState.NotNull
                && v is IEnumerable seq && v is not IDictionary && v is not string)
            {
                var i = 0;
                foreach (var item in seq)
                {
                    if (item == null) return $"{name}[{i}]";
                    i++;
                }
            }
            if (FirstNull(v, name, context, depth + 1) is { } inner) return inner;
        }
        return null;
    }
}
