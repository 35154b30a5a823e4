using Ablations.Training;

namespace Ablations.Tests.Cli;

/// <summary>A trained Markov run (vocabulary 8, context 64) to generate from: prompts are token ids.</summary>
public sealed class GenerateFixture
{
    public string Folder { get; } = TinyRuns.TempFolder("generate-");

    public GenerateFixture() => new Trainer(TinyRuns.Markov(steps: 2), Folder).Run();
}

public class GenerateCommandTests : IClassFixture<GenerateFixture>
{
    readonly string _run;

    public GenerateCommandTests(GenerateFixture fixture) => _run = fixture.Folder;

    static string Ids(int count) => string.Join(' ', Enumerable.Range(0, count).Select(i => i % 8));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_prompt_is_refused_naming_the_option(string prompt) =>
        BadInput.Line(Repo.Ablate("generate", "--checkpoint", _run, "--prompt", prompt), "--prompt: is empty");

    [Theory]
    [InlineData("nan", "--temperature: must be a finite number, got nan")]
    [InlineData("Infinity", "--temperature: must be a finite number, got Infinity")]
    [InlineData("-0.5", "--temperature must be at least 0 (got -0.5)")]
    [InlineData("warm", "--temperature: expected a number, got 'warm'")]
    public void A_temperature_that_is_not_a_finite_non_negative_number_is_refused(string value, string message) =>
        BadInput.Line(Repo.Ablate("generate", "--checkpoint", _run, "--prompt", "1 2", "--temperature", value), message);

    [Fact]
    public void A_prompt_that_fills_the_context_is_refused()
    {
        BadInput.Line(Repo.Ablate("generate", "--checkpoint", _run, "--prompt", Ids(64)),
            "--prompt: the prompt is 64 tokens, which fills the model's context of 64");
    }

    [Fact]
    public void Generation_that_reaches_the_context_says_where_it_stopped()
    {
        var r = Repo.Ablate("generate", "--checkpoint", _run, "--prompt", Ids(60), "--max-tokens", "10", "--temperature", "0");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(64, r.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);   // 60 given, 4 generated
        Assert.Contains("generation stopped at the context length 64 (model.context_length): 60 prompt + 4 generated tokens, fewer than the 10 of --max-tokens", r.Stderr);
    }

    [Fact]
    public void Generation_within_the_context_says_nothing_more()
    {
        var r = Repo.Ablate("generate", "--checkpoint", _run, "--prompt", Ids(10), "--max-tokens", "10", "--temperature", "0");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(20, r.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("", r.Stderr);
    }
}
