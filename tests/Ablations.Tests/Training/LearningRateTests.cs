using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Training;

public class LearningRateTests
{
    static readonly TrainConfig Base = new() { Steps = 100, Lr = 1.0, WarmupSteps = 10, MinLrRatio = 0.1 };

    [Fact]
    public void Warmup_is_linear_from_lr_over_warmup_steps()
    {
        Assert.Equal(0.1, LearningRate.At(Base, 1), 12);
        Assert.Equal(0.5, LearningRate.At(Base, 5), 12);
        Assert.Equal(1.0, LearningRate.At(Base, 10), 12);
    }

    [Fact]
    public void Cosine_goes_from_lr_to_the_minimum_through_the_midpoint()
    {
        var c = Base with { Schedule = LrSchedule.Cosine };
        Assert.Equal(1.0, LearningRate.At(c, 10), 12);
        Assert.Equal(0.55, LearningRate.At(c, 55), 12);     // halfway: (1 + 0.1) / 2
        Assert.Equal(0.1, LearningRate.At(c, 100), 12);
    }

    [Fact]
    public void Wsd_holds_then_decays_linearly_over_the_last_fraction()
    {
        var w = Base with { Schedule = LrSchedule.Wsd, DecayFraction = 0.2 };
        Assert.Equal(1.0, LearningRate.At(w, 80), 12);
        Assert.Equal(0.55, LearningRate.At(w, 90), 12);
        Assert.Equal(0.1, LearningRate.At(w, 100), 12);
    }

    [Fact]
    public void Constant_stays_at_lr_after_warmup()
    {
        var k = Base with { Schedule = LrSchedule.Constant };
        Assert.Equal(1.0, LearningRate.At(k, 11), 12);
        Assert.Equal(1.0, LearningRate.At(k, 100), 12);
    }
}
