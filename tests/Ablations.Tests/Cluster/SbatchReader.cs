using System.Text;

namespace Ablations.Tests.Cluster;

/// <summary>
/// sbatch's reading of a batch script's directives, ported line for line from Slurm 22.05's src/sbatch/opt.c
/// (_opt_batch_script and get_argument), so property tests can read many generated lines the way sbatch does; a
/// test on the real sbatch checks the port where it matters. Lines are read until the first one that is neither
/// blank nor a comment; an #SBATCH line is split at whitespace, quotes group, a backslash takes the next character
/// as it is (inside quotes too), an unquoted '#' ends the line, a bare "hetjob" ends it, and ':' or an unmatched
/// quote is fatal (an exception here).
/// </summary>
public static class SbatchReader
{
    /// <summary>The words of every #SBATCH (or #SLURM) line, in order, as sbatch passes them to its getopt.</summary>
    public static IReadOnlyList<string> Words(string script)
    {
        var words = new List<string>();
        foreach (var line in script.Split('\n'))
        {
            string rest;
            if (line.StartsWith("#SBATCH", StringComparison.Ordinal)) rest = line[7..];
            else if (line.StartsWith("#SLURM", StringComparison.Ordinal)) rest = line[6..];
            else if (line.TrimStart(Spaces).FirstOrDefault() is not ('#' or '\0')) break;   // a command
            else continue;
            var start = rest.TrimStart(Spaces);
            if (BareWord(start, 0, "packjob") || BareWord(start, 0, "hetjob")) break;   // another component's
            words.AddRange(LineWords(rest));
        }
        return words;
    }

    /// <summary>The words of one directive after its #SBATCH.</summary>
    public static IReadOnlyList<string> LineWords(string line)
    {
        var words = new List<string>();
        var p = 0;
        while (true)
        {
            while (p < line.Length && IsSpace(line[p])) p++;
            if (BareWord(line, p, "packjob") || BareWord(line, p, "hetjob")) break;   // blanked: no word
            if (p < line.Length && line[p] == ':') throw new FormatException($"Unexpected `:` in [{line}]");
            if (p == line.Length) break;
            StringBuilder? word = null;
            var quote = '\0';
            var escape = false;
            while (p < line.Length && (quote != '\0' || !IsSpace(line[p])))
            {
                var c = line[p];
                if (escape) escape = false;
                else if (c == '\\') { escape = true; p++; continue; }
                else if (quote != '\0') { if (c == quote) { quote = '\0'; p++; continue; } }
                else if (c is '"' or '\'') { quote = c; p++; continue; }
                else if (c == '#') break;
                (word ??= new StringBuilder()).Append(c);
                p++;
            }
            if (quote != '\0') throw new FormatException($"Unmatched `{quote}` in [{line}]");
            if (word == null) break;   // no word (a comment, or only quotes): the rest of the line is not read
            words.Add(word.ToString());
        }
        return words;
    }

    /// <summary>C's isspace in the C locale; bytes of UTF-8 beyond ASCII are none of it.</summary>
    static bool IsSpace(char c) => Spaces.Contains(c);

    static readonly char[] Spaces = { ' ', '\t', '\n', '\v', '\f', '\r' };

    static bool BareWord(string line, int p, string word) =>
        string.Compare(line, p, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
        && p + word.Length <= line.Length && (p + word.Length == line.Length || IsSpace(line[p + word.Length]));
}
