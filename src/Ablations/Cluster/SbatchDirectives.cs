using System.Globalization;

namespace Ablations.Cluster;

/// <summary>
/// The #SBATCH lines both scripts of an experiment start with: its job name (how status finds its jobs), where the
/// log goes, the working folder (where relative data paths resolve, as in the submitting shell), CPUs, and the
/// user's partition, time limit and other sbatch options.
/// </summary>
public static class SbatchDirectives
{
    public static IEnumerable<string> Lines(string jobName, string output, string workingDirectory, int cpus, SlurmOptions options)
    {
        yield return $"#SBATCH --job-name={Value(jobName)}";
        yield return $"#SBATCH --output={Value(output)}";
        yield return "#SBATCH --open-mode=append";
        yield return $"#SBATCH --chdir={Value(workingDirectory)}";
        yield return string.Create(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={cpus}");
        if (options.Partition != null) yield return $"#SBATCH --partition={Value(options.Partition)}";
        if (options.Time != null) yield return $"#SBATCH --time={Value(options.Time)}";
        foreach (var arg in options.SbatchArgs) yield return $"#SBATCH {arg}";
    }

    /// <summary>sbatch splits #SBATCH lines at spaces and strips double quotes: a value with a space is double-quoted.</summary>
    public static string Value(string value) => value.Contains(' ') || value.Contains('\t') ? $"\"{value}\"" : value;
}
