using System.Text.RegularExpressions;

namespace Ablations.Tests;

/// <summary>
/// Imports flow one way: Common and Config at the bottom, then Model and Data beside it, Analysis, Training,
/// Benchmarks, then Experiments (whose latency point measures decoding), Cluster (Slurm) and Reporting, and the command line on top. Read from the sources, so a new file
/// that reaches upward fails here, naming the file and the folder it reached.
/// </summary>
public class LayeringTests
{
    static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Common"] = Array.Empty<string>(),
        ["Config"] = new[] { "Common" },
        ["Model"] = new[] { "Common", "Config" },
        ["Data"] = new[] { "Common", "Config" },
        ["Analysis"] = new[] { "Common", "Config", "Model" },
        ["Training"] = new[] { "Common", "Config", "Model", "Data", "Analysis" },
        ["Benchmarks"] = new[] { "Common", "Config", "Model", "Data", "Analysis", "Training" },
        ["Experiments"] = new[] { "Common", "Config", "Model", "Data", "Analysis", "Training", "Benchmarks" },
        ["Cluster"] = new[] { "Common", "Config", "Model", "Data", "Analysis", "Training", "Benchmarks", "Experiments" },
        ["Reporting"] = new[] { "Common", "Config", "Model", "Data", "Analysis", "Training", "Benchmarks", "Experiments" },
    };

    static readonly Regex Reference = new(@"\bAblations\.(?<layer>[A-Z]\w+)\b|\b(?<layer>Common|Config|Model|Data|Analysis|Training|Benchmarks|Experiments|Cluster|Reporting)\.[A-Z]\w*\.", RegexOptions.Compiled);

    [Fact]
    public void Every_library_folder_is_known()
    {
        var folders = Directory.GetDirectories(Repo.Path("src", "Ablations")).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).Order();
        Assert.Equal(Allowed.Keys.Order(), folders);
    }

    [Fact]
    public void Library_imports_flow_one_way()
    {
        var violations = new List<string>();
        foreach (var (layer, allowed) in Allowed)
            foreach (var file in Directory.GetFiles(Repo.Path("src", "Ablations", layer), "*.cs", SearchOption.AllDirectories))
                foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
                {
                    if (line.TrimStart().StartsWith("//") || line.TrimStart().StartsWith("///")) continue;
                    foreach (Match m in Reference.Matches(line))
                    {
                        var target = m.Groups["layer"].Value;
                        if (target != layer && Allowed.ContainsKey(target) && !allowed.Contains(target))
                            violations.Add($"{Path.GetRelativePath(Repo.Root, file)}:{number}: {layer} uses {target}");
                    }
                }
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }
}
