using Ablations.Common;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Model;

/// <summary>
/// Per-layer embeddings (Gemma 3n): one table of [vocab, n_layers x dim] gives each token a small embedding per
/// layer, scaled by sqrt(dim); after layer l the residual stream gets x + norm(W_down(gelu(W_gate x) * e_l)),
/// the per-layer input gate of Gemma 3n's decoder layer. (Gemma 3n also mixes a projection of the token
/// embedding into e_l; this keeps the table alone.)
/// </summary>
public sealed class PerLayerEmbeddings : nn.Module
{
    readonly Embedding table;
    readonly ModuleList<Branch> layers;
    readonly long _layers, _dim;

    public PerLayerEmbeddings(ModelConfig model, PerLayerEmbeddingsConfig config) : base(nameof(PerLayerEmbeddings))
    {
        (_layers, _dim) = (model.NLayers, config.Dim);
        table = nn.Embedding(model.VocabSize, _layers * _dim);
        layers = new ModuleList<Branch>(Enumerable.Range(0, model.NLayers).Select(_ => new Branch(model, config.Dim)).ToArray());
        RegisterComponents();
    }

    /// <summary>tokens: [batch, time] to each layer's embeddings [batch, time, n_layers, dim].</summary>
    public Tensor Inputs(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var (b, t) = (tokens.shape[0], tokens.shape[1]);
        return (table.call(tokens).view(b, t, _layers, _dim) * Scalars.Of(Math.Sqrt(_dim))).MoveToOuterDisposeScope();
    }

    /// <summary>The residual stream after layer <paramref name="layer"/>, with that layer's embeddings mixed in.</summary>
    public Tensor Apply(int layer, Tensor x, Tensor inputs, MixedPrecision? precision = null) =>
        layers[layer].Forward(x, inputs.select(2, layer), precision ?? MixedPrecision.Fp32);

    sealed class Branch : nn.Module
    {
        readonly Linear gate_proj, down_proj;
        readonly nn.Module<Tensor, Tensor> norm;

        public Branch(ModelConfig model, int dim) : base(nameof(Branch))
        {
            gate_proj = nn.Linear(model.DModel, dim, hasBias: false);
            down_proj = nn.Linear(dim, model.DModel, hasBias: false);
            norm = model.Norm.Build(model.DModel);
            RegisterComponents();
        }

        /// <summary>x: [batch, time, d_model]; e: [batch, time, dim].</summary>
        public Tensor Forward(Tensor x, Tensor e, MixedPrecision mp)
        {
            using var scope = NewDisposeScope();
            var gated = mp.Linear(gate_proj, x).gelu(TorchSharp.Modules.GELU.Approximate.tanh) * e;   // [batch, time, dim]
            return (x + norm.call(mp.Linear(down_proj, gated))).MoveToOuterDisposeScope();
        }
    }
}
