using System.Diagnostics;
using System.Text;
using Ablations.Cluster;

namespace Ablations.Tests.Cluster;

/// <summary>
/// <see cref="Shell.Quote"/> read back by the real bash: thousands of generated strings of quotes, <c>$</c>,
/// backticks, backslashes, newlines, control characters and text beyond ASCII each come back exactly, as a command's
/// word and as a variable's value, in the C locale and in UTF-8, and every quoted word is one line of printable text.
/// </summary>
public class ShellTests
{
    static readonly string[] Known =
    {
        "", "plain", "a b", "it's", "'", "''", "\"", "$HOME", "$(touch x)", "`touch x`", "\\", "\\'", "!!", "~", "*",
        "-n", "r\ntouch /tmp/x\n#", "a\tb", "\r", "\x1b[31mred", "é 日本語 \U0001F600", "\u202eevil", "\u200b",
        "%A_%a", "x=y", "#SBATCH --job-name=x",
    };

    /// <summary>Runs bash with these arguments; its standard output as bytes.</summary>
    static byte[] Bash(string locale, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["LC_ALL"] = locale;
        using var process = Process.Start(start)!;
        var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "bash did not end");
        copy.Wait();
        Assert.True(process.ExitCode == 0, stderr.Result);
        return output.ToArray();
    }

    [Theory]
    [InlineData("C")]
    [InlineData("C.UTF-8")]
    public void Every_quoted_word_reads_back_through_bash_exactly(string locale)
    {
        var words = Known.Concat(NastyStrings.Many(seed: 11, count: 3000)).ToList();
        var script = new StringBuilder("set -u\n");
        foreach (var word in words)
            script.Append("v=").Append(Shell.Quote(word)).Append("; printf '%s\\0' \"$v\" ").Append(Shell.Quote(word))
                .Append('\n');
        var file = Path.Combine(TinyRuns.TempFolder("shell-"), "words.sh");
        File.WriteAllText(file, script.ToString());   // UTF-8 without a byte order mark, as the Slurm scripts are

        var read = Encoding.UTF8.GetString(Bash(locale, file)).Split('\0');
        Assert.Equal(2 * words.Count + 1, read.Length);   // each word twice, then what follows the last NUL
        for (int i = 0; i < words.Count; i++)
        {
            var (quoted, value, word) = (Shell.Quote(words[i]), read[2 * i], read[2 * i + 1]);
            Assert.True(words[i] == value, $"as a value: {quoted} read back as {Shell.Quote(value)}");
            Assert.True(words[i] == word, $"as a word: {quoted} read back as {Shell.Quote(word)}");
        }
    }

    [Fact]
    public void A_quoted_word_given_to_bash_c_prints_exactly_itself()
    {
        foreach (var word in Known.Concat(NastyStrings.Many(seed: 12, count: 40)))
            Assert.Equal(word, Encoding.UTF8.GetString(Bash("C.UTF-8", "-c", "printf %s " + Shell.Quote(word))));
    }

    [Fact]
    public void A_quoted_word_is_one_line_of_printable_text()
    {
        foreach (var word in Known.Concat(NastyStrings.Many(seed: 13, count: 3000)))
        {
            var quoted = Shell.Quote(word);
            Assert.True(quoted.EnumerateRunes().All(Shell.IsPrintable), quoted);
        }
        Assert.Equal("$'r\\ntouch /tmp/x\\n#'", Shell.Quote("r\ntouch /tmp/x\n#"));
        Assert.Equal("'it'\\''s $(x)'", Shell.Quote("it's $(x)"));
        Assert.Equal("$'\\xe2\\x80\\xaeevil'", Shell.Quote("\u202eevil"));   // a direction override shown, not obeyed
        Assert.Equal("/shared/results/exp-1.smoke", Shell.Quote("/shared/results/exp-1.smoke"));
        Assert.Throws<ArgumentException>(() => Shell.Quote("a\0b"));
    }
}
