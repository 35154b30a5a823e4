using Ablations.Config;

namespace Ablations.Cluster;

/// <summary>
/// One word of an #SBATCH line, written so that sbatch reads it back as exactly that word. sbatch reads a directive
/// (src/sbatch/opt.c, get_argument) up to the end of its line, splits it at whitespace, groups characters in single
/// or double quotes, takes the character after a backslash as it is (inside quotes too), ends the line at a '#'
/// outside quotes, drops a bare word "hetjob" or "packjob" (its separator of heterogeneous jobs) and stops with an
/// error at a word that starts with ':'. A word of plain characters is therefore written as it is, and any other
/// double-quoted with its backslashes and double quotes escaped. What no quoting carries is refused: a newline ends
/// the directive, and other control characters are no text of a name or a path; an empty word reads as none.
/// </summary>
public static class SbatchWord
{
    /// <summary>The word as sbatch reads it back; refuses one it cannot carry, naming <paramref name="key"/>.</summary>
    /// <param name="what">The value's name in the refusal, e.g. "the results folder".</param>
    public static string Encode(string word, string key, string what)
    {
        if (Problem(word) is { } problem)
            throw new ConfigException($"{what} {Shell.Quote(word)} {problem}", key: key);
        var plain = word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,@%+".Contains(c)) && word[0] != ':'
            && !word.Equals("hetjob", StringComparison.OrdinalIgnoreCase)
            && !word.Equals("packjob", StringComparison.OrdinalIgnoreCase);
        return plain ? word : "\"" + word.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    /// <summary>Why no #SBATCH line can carry <paramref name="text"/> (after "the value ..."), or null.</summary>
    public static string? Problem(string text)
    {
        if (text.Length == 0)
            return "is empty, which an #SBATCH line cannot carry (sbatch reads an empty word as none)";
        foreach (var c in text)
            if (char.IsControl(c))
                return $"holds {Describe(c)}, which an #SBATCH line cannot carry (sbatch reads a directive up to " +
                       "its end of line, and control characters are no text of a name or a path)";
        return null;
    }

    static string Describe(char c) => c switch
    {
        '\n' => "a newline",
        '\r' => "a carriage return",
        '\t' => "a tab",
        _ => $"the control character U+{(int)c:X4}",
    };
}
