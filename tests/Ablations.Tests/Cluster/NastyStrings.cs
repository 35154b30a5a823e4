using System.Text;

namespace Ablations.Tests.Cluster;

/// <summary>
/// Strings for property tests of quoting: random mixes (from a fixed seed, so a failure repeats) of printable ASCII,
/// the characters shells and sbatch treat specially, the sequences that break naive quoting, whitespace and control
/// characters, and text beyond ASCII (accents, CJK, emoji as surrogate pairs, combining marks, invisible and
/// direction characters). Never a NUL (no bash string or path holds one) or a lone surrogate.
/// </summary>
public static class NastyStrings
{
    static readonly string[] Pieces =
    {
        "'", "\"", "$", "`", "\\", "#", "!", "~", "*", "?", "[", "]", "{", "}", "(", ")", ";", "&", "|", "<", ">",
        "=", "%", ":", " ", "-", "--", "$(touch x)", "`touch x`", "${HOME}", "'\\''", "\\'", "\"'\"", "%A", "%%",
        "hetjob", "\n", "\t", "\r", "\r\n", "\v", "\f", "\x01", "\x1b[31m", "\x7f", "\u0085", "\u009b",
        "é", "ß", "日本語", "\U0001F600", "e\u0301", "\u00a0", "\u2028", "\u2029", "\u200b", "\u202e", "\ufeff",
        "\u3000",
    };

    /// <param name="controls">Whether control characters (newlines, tabs and the like) may appear.</param>
    public static IEnumerable<string> Many(int seed, int count, bool controls = true)
    {
        var random = new Random(seed);
        var pieces = controls ? Pieces : Pieces.Where(p => !p.Any(char.IsControl)).ToArray();
        for (int i = 0; i < count; i++)
        {
            var s = new StringBuilder();
            var length = random.Next(0, 12);
            for (int j = 0; j < length; j++)
                s.Append(random.Next(3) == 0 ? pieces[random.Next(pieces.Length)]
                                             : ((char)random.Next(0x20, 0x7f)).ToString());
            yield return s.ToString();
        }
    }
}
