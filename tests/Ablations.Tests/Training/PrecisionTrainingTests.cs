using Ablations.Config;
using Ablations.Model;
using Ablations.Training;

namespace Ablations.Tests.Training;

public class PrecisionTrainingTests
{
    static RunConfig Markov(Precision precision, int steps = 30) =>
        TinyRuns.Markov(steps) with { Train = TinyRuns.Markov(steps).Train with { Precision = precision } };

    [Fact]
    public void A_bf16_run_learns_and_records_its_precision()
    {
        var folder = TinyRuns.TempFolder("bf16-");
        var summary = new Trainer(Markov(Precision.Bf16), folder).Run()!;
        var rows = MetricsFile.Read(Path.Combine(folder, "metrics.csv"));
        Assert.Equal(RunStatus.Completed, summary.Status);
        Assert.True(rows[^1].TrainLoss < rows[0].TrainLoss - 0.3, $"loss {rows[0].TrainLoss} -> {rows[^1].TrainLoss}");
        Assert.Equal("bf16", summary.Precision);
        Assert.Equal("bf16", RunSummary.Read(folder)!.Precision);
        Assert.Equal(Precision.Bf16, new RunFolder(folder).ReadConfig().Train.Precision);
    }

    [Fact]
    public void A_fp32_run_says_fp32()
    {
        var folder = TinyRuns.TempFolder("fp32-");
        Assert.Equal("fp32", new Trainer(Markov(Precision.Fp32, steps: 4), folder).Run()!.Precision);
    }

    [Fact]
    public void Auto_resolves_writes_its_choice_and_why_into_config_yaml_and_a_rerun_is_the_same_run()
    {
        var config = Markov(Precision.Auto, steps: 4);
        var folder = TinyRuns.TempFolder("auto-");
        var summary = new Trainer(config, folder).Run()!;
        Assert.Contains(summary.Precision, new[] { "fp32", "bf16" });
        var yaml = File.ReadAllText(Path.Combine(folder, "config.yaml"));
        Assert.Contains($"precision: {summary.Precision}  # chosen by precision: auto (auto: ", yaml);
        Assert.Equal(summary.Precision, SnakeCase.Of(new RunFolder(folder).ReadConfig().Train.Precision.ToString()));
        Assert.True(new RunFolder(folder).IsCompleteFor(config));          // the folder still holds the auto run asked for
        Assert.False(new RunFolder(folder).IsCompleteFor(Markov(summary.Precision == "bf16" ? Precision.Fp32 : Precision.Bf16, steps: 4)));
    }

    [Fact]
    public void Auto_never_picks_bf16_on_a_device_without_fast_bf16_and_takes_fixed_precisions_as_asked()
    {
        using var model = new Decoder(TinyModels.Base());
        Func<(TorchSharp.torch.Tensor, TorchSharp.torch.Tensor)> noBatch = () => throw new InvalidOperationException("no measurement expected");
        Assert.Equal(Precision.Bf16, PrecisionChoice.Resolve(Precision.Bf16, model, TorchSharp.DeviceType.CPU, noBatch).Precision);
        Assert.Equal(Precision.Fp32, PrecisionChoice.Resolve(Precision.Fp32, model, TorchSharp.DeviceType.CPU, noBatch).Precision);
        Assert.Equal(Precision.Fp32, PrecisionChoice.Resolve(Precision.Auto, model, TorchSharp.DeviceType.MPS, noBatch).Precision);
        if (Bf16Support.CpuFlags().Count == 0)
            Assert.Equal(Precision.Fp32, PrecisionChoice.Resolve(Precision.Auto, model, TorchSharp.DeviceType.CPU, noBatch).Precision);
    }

    [Theory]
    [InlineData(1.0, 0.5, Precision.Bf16)]
    [InlineData(1.0, 0.96, Precision.Fp32)]
    [InlineData(1.0, 1.0, Precision.Fp32)]
    [InlineData(1.0, 1.3, Precision.Fp32)]
    public void Auto_takes_bf16_only_when_it_measured_clearly_faster(double fp32, double bf16, Precision chosen) =>
        Assert.Equal(chosen, PrecisionChoice.Faster(fp32, bf16));

    [Fact]
    public void A_precision_that_does_not_exist_is_refused_naming_the_key_and_the_choices()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse<RunConfig>("train:\n  precision: fp16\n", "x.yaml"));
        Assert.Contains("precision", e.Message);
        Assert.Contains("fp32 | bf16 | auto", e.Message);
        Assert.Equal(Precision.Fp32, ConfigLoader.Parse<RunConfig>("train:\n  steps: 3\n  warmup_steps: 1\n", "x.yaml").Train.Precision);
    }
}
