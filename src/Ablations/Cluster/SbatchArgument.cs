using Ablations.Config;

namespace Ablations.Cluster;

/// <summary>
/// One --sbatch-arg: an sbatch option with its value, as the words of sbatch's command line it stands for. The text
/// is one word (--name=value, --name, -xvalue), or an option and its value parted by the first space (--name value,
/// -x value); each word is written to its #SBATCH line so that sbatch reads back exactly that word, so a value
/// holding spaces, quotes or '#' stays one value (--comment=a --job-name=b is a comment, not two options). A word
/// that sbatch would read as an option that ablate sets (by its name, an abbreviation or a cluster of short options,
/// the value word too when it starts with '-') is refused, as is text no #SBATCH line can carry.
/// </summary>
public sealed record SbatchArgument
{
    /// <summary>As given.</summary>
    public required string Text { get; init; }
    /// <summary>The one or two words of sbatch's command line it stands for.</summary>
    public required IReadOnlyList<string> Words { get; init; }

    const string Key = "--sbatch-arg";

    public static SbatchArgument Parse(string text)
    {
        if (SbatchWord.Problem(text) is { } problem)
            throw new ConfigException($"the option {Shell.Quote(text)} {problem}", key: Key);
        var first = text.Split(' ')[0];
        if (!text.StartsWith('-') || first is "-" or "--" || text.StartsWith("--=", StringComparison.Ordinal))
            throw new ConfigException($"'{text}' is not an sbatch option (write it as --sbatch-arg=--name=value)",
                key: Key);
        var space = text.IndexOf(' ');
        var equals = text.IndexOf('=');
        var oneWord = space < 0 || (text.StartsWith("--", StringComparison.Ordinal) && equals >= 0 && equals < space);
        var words = oneWord ? new[] { text }
            : new[] { text[..space], text[space..].TrimStart(' ') }.Where(w => w.Length > 0).ToArray();
        foreach (var word in words.Where(w => w.StartsWith('-')))
            if (SbatchOptionNames.SetByAblate(word) is { } why)
                throw new ConfigException($"'{text}' {why}", key: Key);
        return new SbatchArgument { Text = text, Words = words };
    }

    /// <summary>The #SBATCH line that gives sbatch exactly <see cref="Words"/>.</summary>
    public string Directive => "#SBATCH " + string.Join(' ', Words.Select(w => SbatchWord.Encode(w, Key, "the word")));
}
