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
}
