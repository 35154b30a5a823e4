using System.Globalization;
using Ablations.Config;

namespace Ablations.Cluster;

/// <summary>
/// The #SBATCH lines both scripts of an experiment start with: its job name (how status finds its jobs), where the
/// log goes, the folder the job starts in (the experiment's slurm/; the script body then enters the working folder,
/// which may be any folder, as the submitting shell's), CPUs, the user's partition and time limit, the script's own
/// directives, and last the user's other sbatch options, so that one left without its value takes none of ablate's.
/// Every value is a word sbatch reads back whole (<see cref="SbatchWord"/>).
/// </summary>
public static class SbatchDirectives
{
    const string Results = "--results";

    /// <param name="log">The log's file name in slurm/logs/, a Slurm file pattern (%A_%a.out).</param>
    /// <param name="own">The script's own directives after #SBATCH (--array=..., --requeue), as they are.</param>
    public static IEnumerable<string> Lines(string experimentFolder, string jobName, string log, int cpus,
        SlurmOptions options, IEnumerable<string> own)
    {
        CheckFolder(experimentFolder, Results, "the experiment folder");
        var slurm = Path.Combine(experimentFolder, "slurm");
        var output = Literal(Path.Combine(slurm, "logs")) + "/" + log;
        yield return "#SBATCH --job-name=" + SbatchWord.Encode(jobName, Results, "the job name");
        yield return "#SBATCH --output=" + SbatchWord.Encode(output, Results, "the log path");
        yield return "#SBATCH --open-mode=append";
        yield return "#SBATCH --chdir=" + SbatchWord.Encode(slurm, Results, "the experiment folder");
        yield return string.Create(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={cpus}");
        if (options.Partition is { } partition)
            yield return "#SBATCH --partition=" + SbatchWord.Encode(partition, "--partition", "the partition");
        if (options.Time is { } time)
            yield return "#SBATCH --time=" + SbatchWord.Encode(time, "--time", "the time limit");
        foreach (var directive in own) yield return "#SBATCH " + directive;
        foreach (var argument in options.Arguments) yield return argument.Directive;
    }

    /// <summary>
    /// Refuses, naming <paramref name="key"/>, a folder whose experiments cannot be submitted: its path is written in
    /// #SBATCH lines (so no control characters, see <see cref="SbatchWord"/>), and a log path (--output) is a Slurm
    /// file pattern in which a backslash turns off every %A and %a, so the tasks' logs could not be told apart.
    /// </summary>
    public static void CheckFolder(string folder, string key, string what)
    {
        SbatchWord.Encode(folder, key, what);
        if (folder.Contains('\\'))
            throw new ConfigException($"{what} '{folder}' holds a backslash, which turns off Slurm's %A and %a in a " +
                                      "log path (sbatch --output), so the tasks' logs could not be told apart; " +
                                      "choose a folder without one", key: key);
    }

    /// <summary>A folder as literal text of a Slurm file pattern, where '%' starts a replacement ("%%": '%').</summary>
    static string Literal(string folder) => folder.Replace("%", "%%");
}
