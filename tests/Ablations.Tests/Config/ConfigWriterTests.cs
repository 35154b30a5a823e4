using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Config;

public class ConfigWriterTests
{
    [Theory]
    [InlineData("tiny.yaml")]
    [InlineData("presets/deepseek-v3.yaml")]
    [InlineData("presets/gemma3-27b.yaml")]
    public void Written_config_loads_back_to_the_same_records(string file)
    {
        var config = RunConfig.Load(Repo.Path("experiments", file));
        var yaml = ConfigWriter.ToYaml(config);
        var again = ConfigLoader.Parse<RunConfig>(yaml, "written.yaml");
        Assert.Equal(yaml, ConfigWriter.ToYaml(again));
        Assert.Equal(config.Model with { Attention = again.Model.Attention }, again.Model);
        Assert.Equal(config.Model.Attention.LocalGlobal, again.Model.Attention.LocalGlobal);
        Assert.Equal(config.Train, again.Train);
    }

    /// <summary>Strings YAML would read as something else unquoted: null, booleans, numbers, anchors, tags, comments.</summary>
    public static IEnumerable<object[]> Tricky() => new[]
    {
        "null", "Null", "~", "", " ", "true", "False", "yes", "no", "on", "OFF", "y", "n", "1e3", "0x10", "0o17", "012", "1_000", "-5", "+3",
        ".inf", "-.inf", ".nan", "NaN", "*alias", "&anchor", "!tag", "!!str", "%directive", "@at", "`tick", "|", ">", "- item", "? key",
        "key: value", "a #b", "#comment", "[list]", "{map}", "'single'", "\"double\"", "back\\slash", "tab\there", "new\nline", " lead",
        "trail ", "2024-01-01", "12:30", "=", "<<", "日本語", "\u00e9", "line\r", "\u0007bell", "a,b", "---", "...",
    }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Tricky))]
    public void Every_string_round_trips_through_the_written_config(string value)
    {
        var config = RunConfig.Load(Repo.Path("experiments", "tiny.yaml")) with
        {
            Data = new DataConfig { Source = DataSource.Jsonl, Paths = new[] { value }, Field = value.Length == 0 ? "text" : value },
        };
        var yaml = ConfigWriter.ToYaml(config);
        var again = ConfigLoader.Parse<RunConfig>(yaml, "written.yaml");
        Assert.Equal(value, again.Data.Paths![0]);
        Assert.Equal(config.Data.Field, again.Data.Field);
        Assert.Equal(yaml, ConfigWriter.ToYaml(again));
    }
}
