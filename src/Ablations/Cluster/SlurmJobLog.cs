using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ablations.Common;
using Ablations.Config;

namespace Ablations.Cluster;

/// <summary>
/// slurm/jobs.json in the experiment folder: the Slurm job name every job of this experiment carries, and each
/// submission made, oldest first. `ablate status` and `--wait` find the experiment's jobs by that name (so a
/// resubmission by hand is seen too) and the accounting records by the job ids.
/// </summary>
public sealed record SlurmJobLog
{
    public required string JobName { get; init; }
    public IReadOnlyList<SlurmSubmission> Submissions { get; init; } = Array.Empty<SlurmSubmission>();

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static string PathIn(string experimentFolder) => Path.Combine(experimentFolder, "slurm", "jobs.json");

    /// <summary>
    /// "ablate-" + the experiment folder's name + 6 hex digits of its full path: readable in squeue, and two results
    /// folders holding the same experiment do not share jobs.
    /// </summary>
    public static string JobNameFor(string experimentFolder)
    {
        var full = Path.GetFullPath(experimentFolder).TrimEnd(Path.DirectorySeparatorChar);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..6];
        return $"ablate-{Path.GetFileName(full)}-{hash}";
    }

    /// <summary>The experiment's log, or null when it was never submitted to Slurm.</summary>
    public static SlurmJobLog? Read(string experimentFolder)
    {
        var path = PathIn(experimentFolder);
        if (!File.Exists(path)) return null;
        try { return Common.StoredJson.Deserialize<SlurmJobLog>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new ConfigException($"damaged Slurm job log ({e.Message})", path); }
    }

    public static SlurmJobLog ReadOrNew(string experimentFolder) => Read(experimentFolder) ?? new SlurmJobLog { JobName = JobNameFor(experimentFolder) };

    public SlurmJobLog With(SlurmSubmission submission) => this with { Submissions = Submissions.Append(submission).ToList() };

    public void Write(string experimentFolder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PathIn(experimentFolder))!);
        AtomicFile.WriteAllText(PathIn(experimentFolder), JsonSerializer.Serialize(this, Json));
    }

    /// <summary>Why nothing more of the experiment in <paramref name="folder"/> may start while <paramref name="active"/> are queued or running, and what to do.</summary>
    public string Busy(string folder, IReadOnlyList<SlurmQueueEntry> active) =>
        $"Slurm jobs of this experiment are still queued or running ({string.Join(", ", active.Select(a => a.JobId).Take(5))}{(active.Count > 5 ? ", ..." : "")}); " +
        $"follow them with `ablate status {folder}` or cancel them with `scancel --name={JobName}`";

    /// <summary>The latest submission that held task <paramref name="index"/>, or null.</summary>
    public SlurmSubmission? LastWith(int index) => Submissions.LastOrDefault(s => s.Tasks.Contains(index));
}
