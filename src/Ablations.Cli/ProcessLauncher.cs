using System.Diagnostics;
using Ablations.Experiments;

namespace Ablations.Cli;

/// <summary>Starts `ablate train` (this same program) for one run, its output in the run's train.log.</summary>
public sealed class ProcessLauncher : IRunLauncher
{
    public Process Start(string configFile, string runFolder, int threads, string logFile)
    {
        var entry = typeof(ProcessLauncher).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet") start.ArgumentList.Add(entry);
        foreach (var a in new[] { "train", configFile, "--out", runFolder, "--threads", threads.ToString() }) start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ablate train");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var gate = new object();
        var open = 2;   // stdout and stderr; the log closes when both have ended
        void Line(string? text)
        {
            lock (gate)
            {
                if (text != null) log.WriteLine(text);
                else if (--open == 0) log.Dispose();
            }
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
