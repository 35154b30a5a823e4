using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using Ablations.Config;

namespace Ablations.Cli;

/// <summary>
/// Integer and number options read the way YAML values are: a value that is not a number, not finite (nan, inf) or
/// below the option's minimum is one line naming the option, not the parser's message naming a .NET type.
/// </summary>
public static class NumberOption
{
    public static Option<T> Create<T>(string name, string description, T defaultValue, T? minimum = null) where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, name, minimum) ?? defaultValue,
        };

    /// <summary>An option that may be left out (null).</summary>
    public static Option<T?> Optional<T>(string name, string description, T? minimum = null) where T : struct, INumber<T> =>
        new(name)
        {
            Description = description,
            CustomParser = result => Parse(result, name, minimum),
        };

    /// <summary>The option's value, or null with an error added to <paramref name="result"/>.</summary>
    static T? Parse<T>(ArgumentResult result, string name, T? minimum) where T : struct, INumber<T>
    {
        var inv = CultureInfo.InvariantCulture;
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!T.TryParse(text, NumberStyles.Float, inv, out var value))
            result.AddError($"{name}: expected {YamlBinder.Describe(typeof(T))}, got '{text}'");
        else if (!T.IsFinite(value))
            result.AddError($"{name}: must be a finite number, got {text}");
        else if (minimum is T min && value < min)
            result.AddError(string.Create(inv, $"{name} must be at least {min} (got {value})"));
        else
            return value;
        return null;
    }
}
