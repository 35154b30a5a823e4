using Ablations.Model;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

public class SamplerTests
{
    [Fact]
    public void Greedy_decoding_with_the_cache_matches_argmax_of_the_full_forward()
    {
        var config = TinyModels.Windowed(TinyModels.Base(Ablations.Model.AttentionKind.Mla), 4);
        using var model = new Decoder(config, seed: 9);
        var prompt = new[] { 5, 7, 11 };
        var generated = Sampler.Generate(model, prompt, 10, temperature: 0, topK: 0, seed: 0).ToList();
        Assert.Equal(10, generated.Count);

        var sequence = prompt.ToList();
        using var noGrad = no_grad();
        for (int i = 0; i < 10; i++)
        {
            using var logits = model.forward(tensor(sequence.Select(t => (long)t).ToArray(), new long[] { 1, sequence.Count }));
            sequence.Add((int)logits[0, -1].argmax().item<long>());
        }
        Assert.Equal(sequence.Skip(3), generated);
    }

    [Fact]
    public void Sampling_stops_at_the_context_length_and_is_seeded()
    {
        var config = TinyModels.Base() with { ContextLength = 12 };
        using var model = new Decoder(config);
        var a = Sampler.Generate(model, new[] { 1, 2 }, 50, temperature: 1.0, topK: 5, seed: 3).ToList();
        var b = Sampler.Generate(model, new[] { 1, 2 }, 50, temperature: 1.0, topK: 5, seed: 3).ToList();
        Assert.Equal(a, b);
        Assert.Equal(10, a.Count);   // 2 prompt + 10 new = 12 positions
    }
}
