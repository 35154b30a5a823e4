using System.CommandLine;
using Ablations.Config;

namespace Ablations.Cli;

/// <summary>
/// An option that takes one member of an enum, spelled in snake_case as the YAML is: a value outside it is one line
/// naming the option and what is allowed, instead of the parser's multi-line suggestions with the .NET type's name.
/// </summary>
public static class EnumOption
{
    public static Option<T> Create<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        var allowed = SnakeCase.EnumValues(typeof(T));
        return new Option<T>(name)
        {
            Description = $"{description}: {allowed}",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                foreach (var value in Enum.GetValues<T>())
                    if (string.Equals(SnakeCase.Of(value.ToString()), text, StringComparison.OrdinalIgnoreCase)) return value;
                result.AddError($"{name}: '{text}' is not allowed; allowed: {allowed}");
                return defaultValue;
            },
        };
    }
}
