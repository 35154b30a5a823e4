using System.Diagnostics;
using Ablations.Experiments;

namespace Ablations.Cli;

/// <summary>
/// Starts `ablate train` (this same program) for one run, its output in the run's train.log; the trainer knows
/// this process as its parent and stops, checkpointing, when it is gone.
/// </summary>
public sealed class ProcessLauncher : IRunLauncher
{
    public Process Start(string configFile, string runFolder, int threads, string logFile)
    {
        var program = AblateProgram.Command();
        var start = new ProcessStartInfo(program[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in program.Skip(1)) start.ArgumentList.Add(a);
        foreach (var a in new[] { "train", configFile, "--out", runFolder, "--threads", threads.ToString(), "--log", logFile }) start.ArgumentList.Add(a);
        start.Environment[ParentWatch.Variable] = Environment.ProcessId.ToString();
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ablate train");
        // The trainer writes its own output to the log (--log); what still arrives on its pipes is what the runtime
        // itself prints (a crash), appended line by line.
        var gate = new object();
        void Line(string? text)
        {
            if (text == null) return;
            lock (gate) File.AppendAllText(logFile, text + Environment.NewLine);
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
