using Ablations.Common;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>Autoregressive sampling with the KV cache: the prompt once, then one token per step.</summary>
public static class Sampler
{
    /// <summary>
    /// Yields up to <paramref name="maxTokens"/> new tokens after <paramref name="prompt"/>, stopping early at the
    /// model's context length. Temperature 0 is greedy; top_k 0 samples from the whole vocabulary.
    /// </summary>
    /// <param name="granularity">A MatFormer model's nested sub-model to run; null = the full model.</param>
    public static IEnumerable<int> Generate(Decoder model, IReadOnlyList<int> prompt, int maxTokens, double temperature, int topK, int seed, int? granularity = null)
    {
        if (TemperatureProblem(temperature) is { } problem) throw new Config.ConfigException(problem, key: "--temperature");
        if (prompt.Count == 0) throw new ArgumentException("the prompt is empty");
        var context = model.Config.ContextLength;
        var start = prompt.Skip(Math.Max(0, prompt.Count - context + 1)).Select(t => (long)t).ToArray();   // leave room to generate
        var generator = new Generator((ulong)seed);
        var device = model.parameters().First().device;
        model.eval();
        using var noGrad = no_grad();
        using var cache = model.NewCache();
        long next;
        using (var scope = NewDisposeScope())
        {
            var logits = model.Forward(tensor(start, new long[] { 1, start.Length }).to(device), cache, granularity: granularity).Logits;
            next = Pick(logits[0, -1], temperature, topK, generator);
        }
        for (int produced = 0; produced < maxTokens && start.Length + produced < context; produced++)
        {
            yield return (int)next;
            if (produced == maxTokens - 1 || cache.Position >= context) yield break;
            using var scope = NewDisposeScope();
            var logits = model.Forward(tensor(new[] { next }, new long[] { 1, 1 }).to(device), cache, granularity: granularity).Logits;
            next = Pick(logits[0, -1], temperature, topK, generator);
        }
    }

    /// <summary>
    /// The smallest positive temperature: logits divided by it stay far inside float32's range (|logit| up to 1e34),
    /// so the softmax never meets an infinity; below it sampling is greedy in all but exact ties, so use 0.
    /// </summary>
    public const double MinTemperature = 1e-4;

    /// <summary>Why a temperature cannot be sampled at, or null.</summary>
    public static string? TemperatureProblem(double temperature) =>
        !double.IsFinite(temperature) || temperature < 0 ? $"must be 0 (greedy) or a positive finite number, got {temperature}"
        : temperature > 0 && temperature < MinTemperature ? $"{temperature:G3} is below {MinTemperature:G1}, where dividing the logits leaves float32's range; use 0 for greedy"
        : null;

    static long Pick(Tensor logits, double temperature, int topK, Generator generator)
    {
        if (temperature <= 0) return logits.argmax().item<long>();
        var scaled = logits.to(ScalarType.Float32) / temperature;
        if (topK > 0 && topK < scaled.shape[0])
        {
            var threshold = scaled.topk(topK).values[-1];
            scaled = scaled.masked_fill(scaled.lt(threshold), Scalars.NegativeInfinity);
        }
        return multinomial(scaled.softmax(-1), 1, generator: generator).item<long>();
    }
}
