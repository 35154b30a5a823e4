using Ablations.Common;
using Ablations.Config;

namespace Ablations.Training;

/// <summary>
/// The folder a run writes: config.yaml (the resolved configuration), metrics.csv, events/ (TensorBoard),
/// checkpoint/ and, once finished, summary.json. The folder describes itself; nothing is kept in memory.
/// </summary>
public sealed class RunFolder
{
    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string ConfigFile => System.IO.Path.Combine(Path, "config.yaml");
    public string MetricsFile => System.IO.Path.Combine(Path, "metrics.csv");
    public string EventsFolder => System.IO.Path.Combine(Path, "events");
    /// <summary>
    /// Whether the run finished: its summary.json exists and reads. A damaged summary does not count; the trainer
    /// rebuilds it from the final checkpoint and metrics (or trains again from the last checkpoint).
    /// </summary>
    public bool IsComplete => RunSummary.TryRead(Path) != null;

    /// <summary>The file that marks a folder as one this project claimed for a run (written before anything else).</summary>
    public const string MarkerFileName = ".ablate-run";
    public string MarkerFile => System.IO.Path.Combine(Path, MarkerFileName);

    /// <summary>What a run writes into its folder: the only entries <see cref="Clear"/> ever removes.</summary>
    static readonly HashSet<string> RunFiles = new(StringComparer.Ordinal)
    {
        MarkerFileName, "config.yaml", "metrics.csv", "metrics.csv.tmp", RunSummary.FileName, "train.log", ".lock", ".lock.owner",
    };
    static readonly HashSet<string> RunFolders = new(StringComparer.Ordinal) { "events", "checkpoint", "checkpoint.prev", "checkpoint.tmp" };

    static bool IsRunEntry(FileSystemInfo entry) =>
        entry is DirectoryInfo && entry.LinkTarget == null
            ? RunFolders.Contains(entry.Name)
            : entry is FileInfo && entry.LinkTarget == null && (RunFiles.Contains(entry.Name) || entry.Name.Contains(".tmp-", StringComparison.Ordinal));

    /// <summary>The entries of the folder that no run writes (a user's files, a symbolic link), first few by name.</summary>
    public IReadOnlyList<string> ForeignEntries() =>
        !Directory.Exists(Path) ? Array.Empty<string>()
            : new DirectoryInfo(Path).EnumerateFileSystemInfos().Where(e => !IsRunEntry(e)).Select(e => e.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Whether the folder provably holds a run of this project: it bears the marker a claim writes, or (a run folder
    /// written before the marker existed) a config.yaml that reads as a run configuration beside the metrics,
    /// checkpoint or summary only a run writes. Either way, with nothing in it that a run does not write.
    /// </summary>
    public bool IsRunFolder =>
        Directory.Exists(Path) && ForeignEntries().Count == 0 &&
        (File.Exists(MarkerFile) || (ReadsAsRunConfig() && (File.Exists(MetricsFile) || Checkpoint.Exists(Path) || File.Exists(System.IO.Path.Combine(Path, RunSummary.FileName)))));

    bool ReadsAsRunConfig()
    {
        if (!File.Exists(ConfigFile)) return false;
        try { ConfigLoader.Parse<RunConfig>(File.ReadAllText(ConfigFile), ConfigFile); return true; }
        catch (Exception e) when (e is ConfigException or IOException) { return false; }
    }

    /// <summary>Whether the folder holds anything a run measured: metrics rows, a checkpoint or a summary.</summary>
    public bool HoldsWork =>
        Checkpoint.Exists(Path) || File.Exists(System.IO.Path.Combine(Path, RunSummary.FileName)) ||
        (File.Exists(MetricsFile) && Training.MetricsFile.Read(MetricsFile).Count > 0);

    /// <summary>
    /// Refuses, before anything is written, a folder this project may not train into: one that exists and holds
    /// entries a run does not write (a project folder, --out .), unless it is empty. Nothing is created or locked.
    /// </summary>
    public void CheckClaimable()
    {
        if (File.Exists(Path)) throw new ConfigException("is a file; a run folder is expected (a new or an empty folder)", Path);
        var foreign = ForeignEntries();
        if (foreign.Count > 0)
            throw new ConfigException(
                $"is not a run folder: it holds {Units.Counted(foreign.Count, "entry", "entries")} a run does not write ({Listed(foreign)}); " +
                "a run trains into a new or empty folder, or into its own run folder to resume; choose another --out", Path);
    }

    static string Listed(IReadOnlyList<string> names) => string.Join(", ", names.Take(4)) + (names.Count > 4 ? ", ..." : "");

    /// <summary>
    /// Whether the folder holds a finished run of <paramref name="config"/>: read without writing anything, so a
    /// finished run on a read-only filesystem is reported, not retrained.
    /// </summary>
    public bool IsCompleteFor(RunConfig config) =>
        IsComplete && File.Exists(ConfigFile) && Identity(File.ReadAllText(ConfigFile)) == Identity(ConfigWriter.ToYaml(config with { Reference = null }));

    /// <summary>
    /// Takes the folder's lock for this process, waiting up to <paramref name="wait"/> for an earlier trainer of the same folder
    /// (an interrupted one still saving its checkpoint) to let go; then removes what no live writer can own:
    /// temporary files of atomic writes that never finished.
    /// </summary>
    public FolderLock Lock(TimeSpan wait, Action<string>? onWait = null)
    {
        FolderLock held;
        try
        {
            held = FolderLock.Acquire(Path, wait,
                holder => $"another trainer is writing the run folder {Path} ({holder}); stop it first or choose another --out",
                holder => onWait?.Invoke($"waiting for the trainer that holds {Path} ({holder}) to stop"));
        }
        catch (UnauthorizedAccessException) { throw NotWritable(); }
        catch (IOException e) when (e is not FileNotFoundException) { throw NotWritable(e.Message); }
        foreach (var stale in Directory.GetFiles(Path, "*.tmp-*").Concat(Directory.GetFiles(Path, "*.tmp")))
            File.Delete(stale);
        return held;
    }

    ConfigException NotWritable(string? why = null) =>
        new($"the run folder cannot be written{(why != null ? $" ({why})" : "")}; choose a writable --out or results folder", Path);

    /// <summary>
    /// Claims the folder for <paramref name="config"/>: writes the marker and config.yaml when new; when the folder
    /// already holds a run of another configuration, refuses (or, with <paramref name="force"/>, clears it first, if
    /// it is provably a run folder). A claim that holds no work yet (a start refused before its first step) is
    /// simply replaced. A run of the same configuration is kept to resume, or with <paramref name="force"/> cleared to
    /// train again, unless <paramref name="keepSame"/> (an experiment's --force replaces only what its file no longer
    /// describes). Returns whether this call wrote the claim (nothing of a run was there before).
    /// </summary>
    public bool Claim(RunConfig config, bool force, bool keepSame = false)
    {
        CheckClaimable();
        var yaml = ConfigWriter.ToYaml(config with { Reference = null });
        var fresh = !File.Exists(ConfigFile);
        if (!fresh)
        {
            var existing = File.ReadAllText(ConfigFile);
            if (Identity(existing) != Identity(yaml))
            {
                if (!HoldsWork) fresh = true;
                else if (!force)
                    throw new ConfigException(
                        $"the run folder {Path} holds a run of a different configuration ({Difference(Identity(existing), Identity(yaml))}); " +
                        "use another --out, or --force to discard it", ConfigFile);
                else { Clear(); fresh = true; }
            }
            else if (force && !keepSame) { Clear(); fresh = true; }
        }
        try
        {
            Directory.CreateDirectory(Path);
            if (!File.Exists(MarkerFile)) AtomicFile.WriteAllText(MarkerFile, MarkerText);
            AtomicFile.WriteAllText(ConfigFile, yaml);
        }
        catch (UnauthorizedAccessException) { throw NotWritable(); }
        catch (IOException e) when (e is not FileNotFoundException) { throw NotWritable(e.Message); }
        return fresh;
    }

    const string MarkerText = "This folder is an ablate run folder: ablate train and ablate run write here, and --force clears only the files they write.\n";

    /// <summary>
    /// Takes back a claim that holds no work (a start refused before its first step), so the corrected command
    /// starts clean: the config.yaml and marker this process wrote go; nothing else is touched.
    /// </summary>
    public void Release()
    {
        if (HoldsWork) return;
        foreach (var file in new[] { ConfigFile, MarkerFile })
            try { File.Delete(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Removes the folder itself when it holds nothing but its lock files (one this process made and released).</summary>
    public void RemoveIfEmpty()
    {
        if (!Directory.Exists(Path)) return;
        var entries = Directory.GetFileSystemEntries(Path).Select(System.IO.Path.GetFileName).ToList();
        if (entries.Any(e => e is not (".lock" or ".lock.owner"))) return;
        try
        {
            foreach (var e in entries) File.Delete(System.IO.Path.Combine(Path, e!));
            Directory.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// The part of a configuration that decides the result: everything but where and with how many threads it
    /// runs (train.device, train.threads), which a rerun may change freely.
    /// </summary>
    static string Identity(string yaml)
    {
        try
        {
            var c = ConfigLoader.Parse<RunConfig>(yaml, "config.yaml");
            if (AutoChoice.IsMatch(yaml)) c = c with { Train = c.Train with { Precision = Precision.Auto } };   // what was asked, not what auto chose
            return ConfigWriter.ToYaml(c with { Reference = null, Train = c.Train with { Threads = 0, Device = DeviceChoice.Auto } });
        }
        catch (ConfigException)
        {
            return yaml;   // an unreadable config.yaml never matches a valid one
        }
    }

    /// <summary>The note after a precision that precision: auto chose; the configuration asked for auto.</summary>
    const string AutoNote = "# chosen by precision: auto";

    static readonly System.Text.RegularExpressions.Regex AutoChoice =
        new(@"^\s*precision: \w+ +" + System.Text.RegularExpressions.Regex.Escape(AutoNote), System.Text.RegularExpressions.RegexOptions.Multiline);

    /// <summary>
    /// Writes the precision the run trains in into config.yaml: the configured one, or, when it asked for auto,
    /// the one auto chose with why (a comment on the same line, so the file still loads and the run folder still
    /// counts as the same configuration).
    /// </summary>
    public void RecordPrecision(RunConfig config, Precision chosen, string why)
    {
        var yaml = ConfigWriter.ToYaml(config with { Reference = null, Train = config.Train with { Precision = chosen } });
        if (config.Train.Precision == Precision.Auto)
        {
            var line = $"precision: {SnakeCase.Of(chosen.ToString())}";
            var at = yaml.IndexOf("\n  " + line + "\n", StringComparison.Ordinal);
            if (at >= 0) yaml = yaml.Insert(at + 3 + line.Length, $"  {AutoNote} ({why.Replace('\n', ' ')})");
        }
        try { AtomicFile.WriteAllText(ConfigFile, yaml); }
        catch (UnauthorizedAccessException) { throw NotWritable(); }
    }

    /// <summary>The configuration the folder's run was made with.</summary>
    public RunConfig ReadConfig() => RunConfig.Load(ConfigFile);

    /// <summary>
    /// Empties a run folder for a new run: only when it is provably one (<see cref="IsRunFolder"/>), and then only
    /// the entries a run writes; anything else refuses, naming the folder, and deletes nothing.
    /// </summary>
    void Clear()
    {
        if (!IsRunFolder)
        {
            var foreign = ForeignEntries();
            throw new ConfigException(foreign.Count > 0
                ? $"holds {Units.Counted(foreign.Count, "entry", "entries")} a run does not write ({Listed(foreign)}); --force clears only run folders, and nothing here was deleted"
                : "is not provably a run folder (no marker and no run's metrics, checkpoint or summary); --force clears only run folders, and nothing here was deleted", Path);
        }
        foreach (var entry in new DirectoryInfo(Path).EnumerateFileSystemInfos().Where(IsRunEntry))
        {
            if (entry.Name is ".lock" or ".lock.owner" or MarkerFileName) continue;   // held by this process; the claim stays ours
            if (entry is DirectoryInfo d) d.Delete(recursive: true);
            else entry.Delete();
        }
    }

    static string Difference(string a, string b)
    {
        var la = a.Split('\n');
        var lb = b.Split('\n');
        for (int i = 0; i < Math.Min(la.Length, lb.Length); i++)
            if (la[i] != lb[i]) return $"line {i + 1}: '{la[i].Trim()}' there, '{lb[i].Trim()}' now";
        return "different length";
    }
}
