using static TorchSharp.torch;

namespace Ablations.Tests.Model;

/// <summary>Output and input gradients of an attention function, for comparing two computations of it.</summary>
public static class AttentionGradients
{
    /// <summary>
    /// Runs attention() on leaves q, k, v (gradients cleared first), backpropagates the output weighted by
    /// <paramref name="weights"/> (so every output element matters differently), and returns
    /// [output, dq, dk, dv] as detached copies.
    /// </summary>
    public static Tensor[] Of(Tensor q, Tensor k, Tensor v, Tensor weights, Func<Tensor> attention)
    {
        foreach (var p in new[] { q, k, v }) p.grad?.zero_();
        using var y = attention();
        (y * weights).sum().backward();
        return new[] { y.detach().clone(), q.grad!.clone(), k.grad!.clone(), v.grad!.clone() };
    }

    /// <summary>Asserts output and gradients agree within the tolerance, naming the first that does not.</summary>
    public static void AssertClose(Tensor[] expected, Tensor[] actual, float tolerance)
    {
        var names = new[] { "output", "dq", "dk", "dv" };
        for (int i = 0; i < names.Length; i++)
        {
            var diff = (expected[i] - actual[i]).abs().max().item<float>();
            Assert.True(diff < tolerance, $"{names[i]} differs by {diff}");
        }
    }
}
