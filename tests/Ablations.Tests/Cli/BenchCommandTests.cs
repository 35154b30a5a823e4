namespace Ablations.Tests.Cli;

public class BenchCommandTests
{
    [Theory]
    [InlineData("--steps", "0", "--steps must be at least 1")]
    [InlineData("--warmup", "-1", "--warmup must be at least 0")]
    [InlineData("--memory-steps", "-5", "--memory-steps must be at least 0")]
    public void Impossible_counts_exit_2_before_measuring_anything(string option, string value, string message)
    {
        var r = Repo.Ablate("bench", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("GFLOP/s", r.Stdout);
    }
}
