namespace Ablations.Tests.Cli;

/// <summary>What every refusal of bad input looks like: exit code 2 and one line on stderr, without exception names or a stack trace.</summary>
public static class BadInput
{
    /// <summary>Returns the one line, after checking that it holds each of <paramref name="fragments"/>.</summary>
    public static string Line(Repo.Result r, params string[] fragments)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}: {r.Stderr}{r.Stdout}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + r.Stderr);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("Exception", lines[0]);
        Assert.DoesNotContain("System.", lines[0]);
        foreach (var fragment in fragments) Assert.Contains(fragment, lines[0]);
        return lines[0];
    }
}
