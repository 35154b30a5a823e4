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
    public static Result AblateIn(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        start.ArgumentList.Add(System.IO.Path.Combine(AppContext.BaseDirectory, "ablate.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(true); throw new TimeoutException("ablate " + string.Join(' ', args)); }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
