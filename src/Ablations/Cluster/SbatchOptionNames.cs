namespace Ablations.Cluster;

/// <summary>
/// sbatch's option names as its getopt_long reads them, to find a user's word that would set an option ablate sets
/// itself. getopt takes an exact long name first (--gpus is its own option, not the start of --gpus-per-task), then
/// a unique prefix of one (--job-nam=x is --job-name=x), and reads a cluster of short options letter by letter until
/// a letter that takes an argument, which takes the rest (-vJx is -v -J x). The names are those of sbatch in Slurm
/// 22.05 (Debian 12) and in Slurm's current source (src/common/slurm_opt.c); a site's SPANK plugins may add more.
/// </summary>
public static class SbatchOptionNames
{
    /// <summary>An option ablate sets itself (in a script or on sbatch's command line), and what to use.</summary>
    sealed record Owned(string Long, char? Short, string? Instead = null);

    static readonly Owned[] OwnedOptions =
    {
        new("array", 'a', "--array-parallelism for the %K part"), new("job-name", 'J'), new("output", 'o'),
        new("error", 'e'), new("chdir", 'D'), new("wrap", null), new("open-mode", null), new("dependency", 'd'),
        new("signal", null), new("cpus-per-task", 'c', "--cpus-per-task"), new("partition", 'p', "--partition"),
        new("time", 't', "--time"), new("gpus-per-task", null, "--gpus-per-task"), new("parsable", null),
        // Tasks requeue themselves at the time-limit warning; a later --no-requeue would make that fail.
        new("requeue", null), new("no-requeue", null),
    };

    static readonly HashSet<string> Long = new(StringComparer.Ordinal)
    {
        "account", "acctg-freq", "array", "autocomplete", "batch", "bb", "bbf", "begin", "chdir", "cluster",
        "cluster-constraint", "clusters", "comment", "consolidate-segments", "constraint", "container",
        "container-id", "context", "contiguous", "core-spec", "cores-per-socket", "cpu-freq", "cpus-per-gpu",
        "cpus-per-task", "deadline", "delay-boot", "dependency", "distribution", "error", "exclude", "exclusive",
        "export", "export-file", "external", "extra", "extra-node-info", "get-user-env", "gid", "gpu-bind",
        "gpu-freq", "gpus", "gpus-per-node", "gpus-per-socket", "gpus-per-task", "gres", "gres-flags", "help", "hint",
        "hold", "ignore-pbs", "input", "job-name", "kill-on-invalid-dep", "licenses", "mail-type", "mail-user",
        "mcs-label", "mem", "mem-bind", "mem-per-cpu", "mem-per-gpu", "mem-update", "mincpus", "network", "nice",
        "no-kill", "no-requeue", "nodefile", "nodelist", "nodes", "ntasks", "ntasks-per-core", "ntasks-per-gpu",
        "ntasks-per-node", "ntasks-per-socket", "ntasks-per-tres", "oom-kill-step", "open-mode", "output",
        "overcommit", "oversubscribe", "parsable", "partition", "power", "prefer", "priority", "profile", "propagate",
        "qos", "quiet", "reboot", "requeue", "reservation", "resources", "resv-ports", "runtime", "segment", "signal",
        "sockets-per-node", "spread-job", "spread-segments", "stepmgr", "switches", "tasks-per-node", "test-only",
        "thread-spec", "threads-per-core", "time", "time-min", "tmp", "tres-bind", "tres-per-task", "uid", "usage",
        "use-min-nodes", "verbose", "version", "wait", "wait-all-nodes", "wckey", "wrap",
    };

    /// <summary>
    /// Short options that take an argument, required or (-k) optional: the rest of a cluster, else the next word.
    /// sbatch's option string is "A:a:b:D:M:C:S:c:d:m:e:x:B:G:hHi:J:L:k::F:w:N:n:o:Osp:q:Qt:vVW" in both versions.
    /// </summary>
    const string WithArgument = "AabDMCScdmexBGiJLkFwNnopqt";

    /// <summary>
    /// Why sbatch must not read <paramref name="word"/> (one word of its command line, starting with '-') as an
    /// option: the option ablate sets that it would set, how it reads so when not by its own name, and what to use
    /// instead; or null when it sets none. A letter sbatch does not know is passed over (getopt goes on to the next,
    /// sbatch then stops), and a prefix of an owned option is refused even where other options share it and sbatch
    /// would call it ambiguous.
    /// </summary>
    public static string? SetByAblate(string word)
    {
        if (word.StartsWith("--", StringComparison.Ordinal))
        {
            var name = word[2..].Split('=', 2)[0];
            if (name.Length == 0) return null;   // "--" ends the options: not an option (SbatchArgument refuses it)
            var owned = Long.Contains(name)
                ? OwnedOptions.FirstOrDefault(o => o.Long == name)
                : OwnedOptions.FirstOrDefault(o => o.Long.StartsWith(name, StringComparison.Ordinal));
            if (owned == null) return null;
            return Refusal(owned, owned.Long == name ? null : $"'--{name}' can abbreviate --{owned.Long}");
        }
        for (int i = 1; i < word.Length; i++)
        {
            if (OwnedOptions.FirstOrDefault(o => o.Short == word[i]) is { } owned)
                return Refusal(owned, i == 1 ? null : $"-{word[i]} in '{word}' is --{owned.Long}");
            if (WithArgument.Contains(word[i])) return null;   // the rest is its argument
        }
        return null;
    }

    static string Refusal(Owned owned, string? reading) => "is set by ablate itself"
        + (reading != null ? $" ({reading})" : "") + (owned.Instead != null ? $"; use {owned.Instead}" : "");
}
