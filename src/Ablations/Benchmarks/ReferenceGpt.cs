using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Benchmarks;

/// <summary>
/// A plain, hand-written Pre-Norm GPT in TorchSharp with no configuration layer (fused QKV and gate/up
/// projections, RMSNorm, RoPE, SwiGLU, tied embeddings): the yardstick `ablate bench` measures the
/// configurable decoder against, at the same shape.
/// </summary>
public sealed class ReferenceGpt : nn.Module<Tensor, Tensor>, Model.ILanguageModel
{
    readonly Embedding wte;
    readonly ModuleList<Block> blocks;
    readonly TorchSharp.Modules.Parameter norm_f;
    readonly Tensor cos, sin;

    public ReferenceGpt(int vocab, int dModel, int layers, int heads, int hidden, int context, long seed = 0) : base(nameof(ReferenceGpt))
    {
        wte = nn.Embedding(vocab, dModel);
        blocks = new ModuleList<Block>(Enumerable.Range(0, layers).Select(_ => new Block(dModel, heads, hidden)).ToArray());
        norm_f = new TorchSharp.Modules.Parameter(ones(dModel));
        var headDim = dModel / heads;
        var inv = pow(10000.0, -arange(0, headDim, 2, ScalarType.Float64) / headDim);
        var angles = outer(arange(context, ScalarType.Float64), inv);
        var full = cat(new[] { angles, angles }, -1);
        cos = full.cos().to(ScalarType.Float32);
        sin = full.sin().to(ScalarType.Float32);
        RegisterComponents();
        using var g = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
            if (p.dim() >= 2) p.normal_(0, name.Contains("proj_out") ? 0.02 / Math.Sqrt(2.0 * layers) : 0.02, g);
    }

    public override Tensor forward(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var t = tokens.shape[1];
        var (c, s) = (cos.narrow(0, 0, t), sin.narrow(0, 0, t));
        var x = wte.call(tokens);
        foreach (var block in blocks) x = block.Forward(x, c, s);
        x = RmsNorm(x, norm_f);
        return nn.functional.linear(x, wte.weight!).MoveToOuterDisposeScope();
    }

    public Model.DecoderOutput Forward(Tensor tokens, Model.DecoderCache? cache = null, bool recordAttentionLogits = false, int? granularity = null) =>
        new(forward(tokens), null, double.NegativeInfinity);

    public int Granularities => 1;

    public void AfterOptimizerStep(Tensor? expertLoad) { }

    static Tensor RmsNorm(Tensor x, Tensor weight) => x * (x.pow(2).mean(new long[] { -1 }, keepdim: true) + 1e-5).rsqrt() * weight;

    static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var halves = x.chunk(2, -1);
        return x * cos + cat(new[] { halves[1].neg(), halves[0] }, -1) * sin;
    }

    public sealed class Block : nn.Module
    {
        readonly Linear qkv, attn_proj_out, gate_up, mlp_proj_out;
        readonly TorchSharp.Modules.Parameter norm1, norm2;
        readonly int _heads;

        public Block(int d, int heads, int hidden) : base(nameof(Block))
        {
            _heads = heads;
            qkv = nn.Linear(d, 3 * d, hasBias: false);
            attn_proj_out = nn.Linear(d, d, hasBias: false);
            gate_up = nn.Linear(d, 2 * hidden, hasBias: false);
            mlp_proj_out = nn.Linear(hidden, d, hasBias: false);
            norm1 = new TorchSharp.Modules.Parameter(ones(d));
            norm2 = new TorchSharp.Modules.Parameter(ones(d));
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, Tensor cos, Tensor sin)
        {
            var (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]);
            var parts = qkv.call(RmsNorm(x, norm1)).view(b, t, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4);   // [3, b, heads, t, head_dim]
            var (q, k, v) = (Rotate(parts[0], cos, sin), Rotate(parts[1], cos, sin), parts[2]);
            var y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true).transpose(1, 2).reshape(b, t, d);
            x = x + attn_proj_out.call(y);
            var gu = gate_up.call(RmsNorm(x, norm2)).chunk(2, -1);
            return x + mlp_proj_out.call(nn.functional.silu(gu[0]) * gu[1]);
        }
    }
}
