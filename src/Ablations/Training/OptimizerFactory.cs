using Ablations.Config;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ablations.Training;

/// <summary>AdamW with decoupled weight decay on matrices (two or more dimensions) and none on gains and biases, unless decay_all.</summary>
public static class OptimizerFactory
{
    public static AdamW Create(Model.ILanguageModel model, TrainConfig t)
    {
        var parameters = model.parameters().ToList();
        var decayed = parameters.Where(p => t.DecayAll || p.dim() >= 2).ToList();
        var plain = parameters.Where(p => !(t.DecayAll || p.dim() >= 2)).ToList();
        var groups = new List<TorchSharp.Modules.AdamW.ParamGroup>
        {
            new(decayed, new AdamW.Options { LearningRate = t.Lr, beta1 = t.Beta1, beta2 = t.Beta2, eps = t.Eps, weight_decay = t.WeightDecay }),
        };
        if (plain.Count > 0)
            groups.Add(new(plain, new AdamW.Options { LearningRate = t.Lr, beta1 = t.Beta1, beta2 = t.Beta2, eps = t.Eps, weight_decay = 0 }));
        return new AdamW(groups, t.Lr, t.Beta1, t.Beta2, t.Eps, t.WeightDecay);
    }

    public static void SetLearningRate(AdamW optimizer, double lr)
    {
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
    }
}
