using Ablations.Config;
using Ablations.Training;

namespace Ablations.Tests.Training;

public class MemoryEstimateTests
{
    const double Available = 16.0 * (1L << 30);

    static MemoryEstimate Estimate(params string[] set)
    {
        var config = RunConfig.Load(Repo.Path("experiments", "tiny.yaml"), set);
        return new MemoryEstimate(config, config.SequenceLength);
    }

    [Theory]
    [InlineData("model.d_model=1048576", "", "model.d_model", "one layer alone holds")]
    [InlineData("model.n_layers=1000000", "", "model.n_layers", "the parameters of at most")]
    [InlineData("model.vocab_size=16777216", "model.d_model=4096", "model.vocab_size", "the embeddings of vocab_size 16,777,216 x d_model 4,096 alone hold")]
    [InlineData("train.batch_size=100000000", "", "train.batch_size", "sequences of 128 tokens fit; lower train.batch_size")]
    [InlineData("model.context_length=16777216", "", "model.context_length", "the activations of one sequence of 16,777,216 tokens alone take")]
    [InlineData("model.context_length=16777216", "train.context=16777216", "train.context", "lower train.context")]
    public void The_key_that_makes_a_run_too_big_is_named_with_the_numbers(string set1, string set2, string key, string reason)
    {
        var estimate = Estimate(new[] { set1, set2 }.Where(s => s.Length > 0).ToArray());
        Assert.True(estimate.Bytes > Available);
        var (named, message) = estimate.Explain(Available);
        Assert.Equal(key, named);
        Assert.Contains(reason, message);
        Assert.Contains("but 16.00 GiB is available", message);
        Assert.Contains("for the weights, gradients and AdamW moments of", message);
    }

    [Fact]
    public void The_tiny_run_fits_and_its_parts_add_up()
    {
        var estimate = Estimate();
        Assert.True(estimate.Bytes < Available);
        Assert.Equal(16 * estimate.Parameters, estimate.StateBytes);
        Assert.Equal(estimate.StateBytes + 16 * estimate.ActivationBytesPerSequence, estimate.Bytes);   // batch_size 16
    }
}
