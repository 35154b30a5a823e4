using System.Globalization;
using System.Text;

namespace Ablations.Cluster;

/// <summary>
/// Quoting for the bash scripts written for Slurm. Every value that reaches a script goes through
/// <see cref="Quote"/>, so a path with spaces, quotes, <c>$</c>, backticks or a newline reaches its command whole and
/// runs nothing; a test runs thousands of generated strings through the real bash and gets each back exactly.
/// </summary>
public static class Shell
{
    /// <summary>
    /// One bash word that bash reads back as exactly <paramref name="word"/>. A word of characters that bash treats
    /// specially nowhere is written as it is. Printable text is single-quoted (an embedded quote closed, escaped and
    /// reopened): nothing inside single quotes is special. Text with a control or invisible character is ANSI-C
    /// quoted (<c>$'...'</c>) with that character written as the escapes of its UTF-8 bytes, so no value spreads over
    /// lines of the script, nothing in it is hidden from a reader, and bash reads the same bytes in any locale.
    /// </summary>
    /// <exception cref="ArgumentException">The word holds a NUL, which no bash string can hold.</exception>
    public static string Quote(string word)
    {
        if (word.Contains('\0')) throw new ArgumentException("a bash word cannot hold a NUL character", nameof(word));
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-:,@+".Contains(c))) return word;
        if (word.EnumerateRunes().All(IsPrintable)) return "'" + word.Replace("'", "'\\''") + "'";
        var s = new StringBuilder("$'");
        foreach (var rune in word.EnumerateRunes())
        {
            if (rune.Value is '\\' or '\'') s.Append('\\').Append((char)rune.Value);
            else if (IsPrintable(rune)) s.Append(rune.ToString());
            else if (rune.Value == '\n') s.Append("\\n");
            else if (rune.Value == '\t') s.Append("\\t");
            else if (rune.Value == '\r') s.Append("\\r");
            else
                foreach (var b in Encoding.UTF8.GetBytes(rune.ToString()))
                    s.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");   // two digits: a hex digit next is text
        }
        return s.Append('\'').ToString();
    }

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));

    /// <summary>
    /// A character shown as itself: not a control, format (zero-width, direction) or separator character other than
    /// the space, not private or unassigned. Lone surrogates read as U+FFFD, as a UTF-8 file writes them.
    /// </summary>
    public static bool IsPrintable(Rune rune) => rune.Value == ' ' || Rune.GetUnicodeCategory(rune) is not
        (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
         or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator or UnicodeCategory.Surrogate
         or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
}
