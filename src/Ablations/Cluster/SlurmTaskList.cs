using Ablations.Common;

namespace Ablations.Cluster;

/// <summary>
/// slurm/tasks.txt in the experiment folder: line i + 1 is the run folder (relative to the experiment folder) that
/// array task i trains. Lines are only ever appended, so a task index means the same run in every submission of the
/// experiment, and any array job of it (a resubmission, one made by hand) maps back to its runs.
/// </summary>
public sealed class SlurmTaskList
{
    readonly List<string> _runs;

    SlurmTaskList(string path, List<string> runs)
    {
        Path = path;
        _runs = runs;
    }

    public string Path { get; }
    public IReadOnlyList<string> Runs => _runs;

    public static string PathIn(string experimentFolder) => System.IO.Path.Combine(experimentFolder, "slurm", "tasks.txt");

    public static SlurmTaskList Read(string experimentFolder)
    {
        var path = PathIn(experimentFolder);
        var runs = File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : new List<string>();
        return new SlurmTaskList(path, runs);
    }

    /// <summary>The task index of a run folder (relative, with '/'), or null when no submission has listed it.</summary>
    public int? IndexOf(string run)
    {
        var i = _runs.IndexOf(Normal(run));
        return i < 0 ? null : i;
    }

    /// <summary>The indices of <paramref name="runs"/>, appending those not yet listed and saving the file when it grew.</summary>
    public IReadOnlyList<int> Add(IEnumerable<string> runs)
    {
        var indices = new List<int>();
        var grew = false;
        foreach (var run in runs.Select(Normal))
        {
            var i = _runs.IndexOf(run);
            if (i < 0)
            {
                _runs.Add(run);
                i = _runs.Count - 1;
                grew = true;
            }
            indices.Add(i);
        }
        if (grew)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            AtomicFile.WriteAllText(Path, string.Join('\n', _runs) + "\n");
        }
        return indices;
    }

    static string Normal(string run) => run.Replace('\\', '/');
}
