namespace Ablations.Tests.Cli;

/// <summary>A bad value of any option is one line naming the option and, for a closed set, what it allows.</summary>
public class OptionParsingTests
{
    [Theory]
    [InlineData("table", "--format", "xml", "error: --format: 'xml' is not allowed; allowed: md | csv | latex | json")]
    [InlineData("plot", "--x", "time", "error: --x: 'time' is not allowed; allowed: steps | tokens")]
    public void An_enum_option_outside_its_set_lists_the_allowed_values(string command, string option, string value, string message)
    {
        var line = BadInput.Line(Repo.Ablate(command, Path.GetTempPath(), option, value), message);
        Assert.Equal(message, line);
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("CSV")]
    public void An_enum_option_takes_its_snake_case_name(string value)
    {
        // The value is accepted, so the error is about the folder, not the format.
        BadInput.Line(Repo.Ablate("table", Path.Combine(Path.GetTempPath(), "no-such-experiment"), "--format", value), "folder not found");
    }

    [Fact]
    public void Dtype_outside_its_set_lists_the_allowed_values() =>
        BadInput.Line(Repo.Ablate("inspect", Repo.Path("experiments", "tiny.yaml"), "--dtype", "fp64"), "--dtype: unknown dtype 'fp64'; allowed: fp32 | bf16 | fp16 | fp8");

    [Fact]
    public void A_scale_the_experiment_does_not_define_lists_those_it_does() =>
        BadInput.Line(Repo.Ablate("run", Repo.Path("experiments", "quick.yaml"), "--scale", "huge", "--results", Path.Combine(Path.GetTempPath(), "no-results")),
            "--scale: scale 'huge' is not defined; defined:");

    [Theory]
    [InlineData("bench", "--steps", "many", "--steps: expected an integer, got 'many'")]
    [InlineData("inspect", "--context", "long", "--context: expected an integer, got 'long'")]
    [InlineData("inspect", "--context", "0", "--context must be at least 1 (got 0)")]
    [InlineData("inspect", "--granularity", "nan", "--granularity: must be a finite number, got nan")]
    [InlineData("run", "--jobs", "0", "--jobs must be at least 1 (got 0)")]
    [InlineData("train", "--threads", "two", "--threads: expected an integer, got 'two'")]
    public void A_number_option_that_is_not_a_number_in_range_is_one_line(string command, string option, string value, string message)
    {
        var file = command is "inspect" or "train" ? Repo.Path("experiments", "tiny.yaml") : command == "run" ? Repo.Path("experiments", "quick.yaml") : null;
        var args = new[] { command }.Concat(file != null ? new[] { file } : Array.Empty<string>()).Concat(new[] { option, value }).ToArray();
        BadInput.Line(Repo.Ablate(args), message);
    }

    [Fact]
    public void Two_parse_errors_share_one_line() =>
        BadInput.Line(Repo.Ablate("bench", "--steps", "0", "--warmup", "x"), "--steps must be at least 1 (got 0); --warmup: expected an integer, got 'x'");

    [Fact]
    public void A_results_folder_that_is_a_file_is_refused()
    {
        var file = Path.GetTempFileName();
        BadInput.Line(Repo.Ablate("run", Repo.Path("experiments", "quick.yaml"), "--results", file), $"--results: '{file}' is a file");
    }
}
