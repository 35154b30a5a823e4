using System.Globalization;
using Ablations.Analysis;
using Ablations.Config;
using Ablations.Training;
using YamlDotNet.RepresentationModel;

namespace Ablations.Experiments;

/// <summary>
/// Solves a variant's match: the integer value of one key at which its parameter count comes closest to the
/// baseline's (the count grows with the key, so a bracketing search finds it), refused when even that is more than
/// 1% away.
/// </summary>
public static class ParameterMatch
{
    public const double Tolerance = 0.01;

    /// <summary>Sets the solved key in <paramref name="tree"/>; returns it as applied (key path to its origin).</summary>
    public static IReadOnlyDictionary<string, string> Solve(YamlMappingNode tree, IReadOnlyDictionary<string, string> applied, MatchEntry match,
        RunConfig baseline, string origin)
    {
        long Count(RunConfig c)
        {
            var i = Inspector.Inspect(c.Model, c.SequenceLength, "bf16");
            return match.Count == ParameterCountKind.Active ? i.ActiveParameters : i.TotalParameters;
        }
        var target = Count(baseline);
        var path = ConfigOverrides.Resolve(typeof(RunConfig), match.Key, origin, isOrigin: true);
        var keyPath = string.Join('.', path);
        var written = new Dictionary<string, string>(applied) { [keyPath] = $"{origin}: match" };
        var counted = new Dictionary<long, long?>();
        long? CountAt(long value) => counted.TryGetValue(value, out var known) ? known : counted[value] = Measure(value);
        long? Measure(long value)
        {
            ConfigOverrides.Set(tree, path, new YamlScalarNode(value.ToString(CultureInfo.InvariantCulture)));
            try { return Count(ConfigLoader.Bind<RunConfig>(tree, origin, written)); }
            catch (ConfigException) { return null; }                 // a value the model cannot take (a non-divisor, ...)
        }
        // Bracket: double until the count passes the target, then bisect; keep the closest valid value seen.
        long best = 0, bestGap = long.MaxValue;
        void Consider(long value)
        {
            if (CountAt(value) is long c && Math.Abs(c - target) < bestGap) (best, bestGap) = (value, Math.Abs(c - target));
        }
        long low = 1, high = 1;
        while (high < int.MaxValue / 2)
        {
            Consider(high);
            if (CountAt(high) is long c && c >= target) break;
            low = high;
            high *= 2;
        }
        while (high - low > 1)
        {
            var mid = (low + high) / 2;
            Consider(mid);
            if (CountAt(mid) is long c && c >= target) high = mid; else low = mid;
        }
        Consider(low);
        Consider(high);
        if (best == 0 || (double)bestGap / target > Tolerance)
            throw new ConfigException($"match: no value of {keyPath} brings the {SnakeCase.Of(match.Count.ToString())} parameter count within 1% of the baseline's " +
                                      $"{target:N0} (closest: {best} with {bestGap:N0} apart); choose another key", origin, key: keyPath);
        ConfigOverrides.Set(tree, path, new YamlScalarNode(best.ToString(CultureInfo.InvariantCulture)));
        return new Dictionary<string, string> { [keyPath] = $"{origin}: match (solved {keyPath} = {best})" };
    }
}
