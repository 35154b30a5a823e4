using System.CommandLine;
using System.Globalization;
using Ablations.Config;
using Ablations.Model;
using Ablations.Model.FeedForward;

namespace Ablations.Cli;

/// <summary>`--granularity SHARE`: which nested sub-model of a MatFormer model to count or run (a share listed in feed_forward.granularities).</summary>
public static class GranularityOption
{
    public static Option<double?> Create() =>
        NumberOption.Optional<double>("--granularity", "MatFormer models: the nested sub-model to use, as one of feed_forward.granularities (e.g. 0.5)");

    /// <summary>The sub-model's index, or null when no granularity was asked for; a clear error when it cannot apply.</summary>
    public static int? Resolve(ModelConfig model, double? share)
    {
        if (share is not double s) return null;
        if (model.FeedForward is not MatFormerConfig matformer)
            throw new ConfigException($"applies to models with feed_forward.kind: matformer; this one's is {SnakeCase.Of(model.FeedForward.Kind.ToString())}", key: "--granularity");
        var index = matformer.Granularities.ToList().IndexOf(s);
        if (index < 0)
            throw new ConfigException($"{s.ToString(CultureInfo.InvariantCulture)} is not one of the model's granularities; allowed: " +
                                      string.Join(", ", matformer.Granularities.Select(g => g.ToString(CultureInfo.InvariantCulture))), key: "--granularity");
        return index;
    }
}
