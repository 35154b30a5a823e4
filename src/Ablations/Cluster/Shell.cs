namespace Ablations.Cluster;

/// <summary>Quoting for the bash scripts written for Slurm, so a path with spaces or quotes reaches the command whole.</summary>
public static class Shell
{
    /// <summary>One bash word: single-quoted, an embedded quote closed, escaped and reopened.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:,@%+".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
