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
    /// Claims the folder for <paramref name="config"/>: writes config.yaml when new; when the folder already
    /// holds a run of another configuration, refuses (or, with <paramref name="force"/>, clears it first).
    /// </summary>
    public void Claim(RunConfig config, bool force)
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
            else if (force) Clear();
        }
        AtomicFile.WriteAllText(ConfigFile, yaml);
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
            return ConfigWriter.ToYaml(c with { Reference = null, Train = c.Train with { Threads = 0, Device = DeviceChoice.Auto } });
        }
        catch (ConfigException)
        {
            return yaml;   // an unreadable config.yaml never matches a valid one
        }
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
