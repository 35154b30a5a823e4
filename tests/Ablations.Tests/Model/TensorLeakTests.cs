using Ablations.Config;
using Ablations.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Ablations.Tests.Model;

/// <summary>
/// Training and decoding steps leave no tensor behind: TorchSharp's count of live tensors on this thread is
/// the same after the tenth step as after the second (the first steps create gradients and optimiser state).
/// </summary>
public class TensorLeakTests
{
    public static IEnumerable<object[]> Models()
    {
        foreach (var kind in new[] { AttentionKind.Mha, AttentionKind.Gqa, AttentionKind.Mla })
            yield return new object[] { kind.ToString(), TinyModels.Base(kind), Precision.Fp32 };
        yield return new object[] { "moe", TinyModels.Moe(TinyModels.Base()), Precision.Fp32 };
        yield return new object[] { "window band", TinyModels.Windowed(TinyModels.Base(), 4), Precision.Fp32 };   // 24 tokens > 2 x window
        // bf16: the cached weight copies are replaced each step, not accumulated
        yield return new object[] { "bf16 gqa", TinyModels.Base(), Precision.Bf16 };
        yield return new object[] { "bf16 mla moe window", TinyModels.Windowed(TinyModels.Moe(TinyModels.Base(AttentionKind.Mla)), 4), Precision.Bf16 };
    }

    static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Theory]
    [MemberData(nameof(Models))]
    public void Training_steps_leave_no_tensor_behind(string name, ModelConfig config, Precision precision)
    {
        using var model = new Decoder(config, seed: 1) { Precision = precision };
        using var optimizer = optim.AdamW(model.parameters(), 1e-3);
        using var tokens = TinyModels.RandomTokens(2, 25, config.VocabSize, seed: 2);
        void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var output = model.Forward(tokens.narrow(1, 0, 24), recordAttentionLogits: true);
            var loss = nn.functional.cross_entropy(output.Logits.reshape(-1, config.VocabSize), tokens.narrow(1, 1, 24).reshape(-1));
            if (output.AuxLoss is { } aux) loss = loss + aux;
            loss.backward();
            optimizer.step();
            model.AfterOptimizerStep(output.ExpertLoad);
        }
        Step();
        Step();
        var after2 = Live;
        for (int i = 0; i < 8; i++) Step();
        Assert.True(Live == after2, $"{name}: {Live - after2} tensors more after 8 further steps");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Decoding_steps_hold_only_the_cache(string name, ModelConfig config, Precision precision)
    {
        using var model = new Decoder(config, seed: 1) { Precision = precision };
        model.eval();
        using var noGrad = no_grad();
        using var cache = model.NewCache();
        using var token = zeros(new long[] { 1, 1 }, ScalarType.Int64);
        void Step() { using var scope = NewDisposeScope(); model.Forward(token, cache); }
        Step();
        Step();
        var after2 = Live;
        for (int i = 0; i < 8; i++) Step();
        Assert.True(Live == after2, $"{name}: {Live - after2} tensors more after 8 further decoding steps");
    }
}
