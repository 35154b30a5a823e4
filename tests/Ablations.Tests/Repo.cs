using System.Diagnostics;

namespace Ablations.Tests;

/// <summary>Paths in the repository, and the `ablate` command run as a separate process.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine(new[] { Root }.Concat(parts).ToArray());

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "Ablations.sln"))) return d.FullName;
        throw new InvalidOperationException("repository root (Ablations.sln) not found above " + AppContext.BaseDirectory);
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs the built `ablate` (beside the test assembly) with the given arguments.</summary>
    public static Result Ablate(params string[] args) => AblateIn(Root, args);

    /// <summary>Runs `ablate` in <paramref name="folder"/>, where relative paths of a configuration are resolved.</summary>
    public static Result AblateIn(string folder, params string[] args) => AblateWith(folder, new Dictionary<string, string?>(), TimeSpan.FromMinutes(2), args);

    /// <summary>Runs `ablate` in <paramref name="folder"/> with environment variables changed (a null value removes one).</summary>
    public static Result AblateWith(string folder, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(AblateStart(folder, environment, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(true); throw new TimeoutException("ablate " + string.Join(' ', args)); }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>How to start `ablate` with <paramref name="args"/> in <paramref name="folder"/>, its output redirected, for a test that drives the process itself.</summary>
    public static ProcessStartInfo AblateStart(string folder, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "ablate.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment)
        {
            if (value == null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        }
        return start;
    }
}
