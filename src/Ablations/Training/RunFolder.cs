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
    public bool IsComplete => File.Exists(System.IO.Path.Combine(Path, RunSummary.FileName));

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
    /// Claims the folder for <paramref name="config"/>: writes config.yaml when new; when the folder already
    /// holds a run of another configuration, refuses (or, with <paramref name="force"/>, clears it first). A run of
    /// the same configuration is kept to resume, or with <paramref name="force"/> cleared to train again, unless
    /// <paramref name="keepSame"/> (an experiment's --force replaces only what its file no longer describes).
    /// </summary>
    public void Claim(RunConfig config, bool force, bool keepSame = false)
    {
        Directory.CreateDirectory(Path);
        var yaml = ConfigWriter.ToYaml(config with { Reference = null });
        if (File.Exists(ConfigFile))
        {
            var existing = File.ReadAllText(ConfigFile);
            if (Identity(existing) != Identity(yaml))
            {
                if (!force)
                    throw new ConfigException(
                        $"the run folder {Path} holds a run of a different configuration ({Difference(Identity(existing), Identity(yaml))}); " +
                        "use another --out, or --force to discard it", ConfigFile);
                Clear();
            }
            else if (force && !keepSame) Clear();
        }
        try { AtomicFile.WriteAllText(ConfigFile, yaml); }
        catch (UnauthorizedAccessException) { throw NotWritable(); }
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

    void Clear()
    {
        foreach (var f in Directory.GetFiles(Path)) File.Delete(f);
        foreach (var d in Directory.GetDirectories(Path)) Directory.Delete(d, recursive: true);
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
