using System.Runtime.InteropServices;

namespace Ablations.Cli;

/// <summary>
/// A trainer started by `ablate run --jobs` stops when that parent is gone (killed, crashed): it checkpoints and
/// exits instead of training on as an orphan beside the trainers a rerun starts. The launcher names the parent in
/// ABLATIONS_PARENT_PID; a background thread compares it with getppid() twice a second.
/// </summary>
public static class ParentWatch
{
    public const string Variable = "ABLATIONS_PARENT_PID";

    [DllImport("libc", EntryPoint = "getppid")]
    static extern int GetParentProcessId();

    public static void Start(CancellationTokenSource cancel)
    {
        if (OperatingSystem.IsWindows() || !int.TryParse(Environment.GetEnvironmentVariable(Variable), out var parent)) return;
        var thread = new Thread(() =>
        {
            while (!cancel.IsCancellationRequested)
            {
                if (GetParentProcessId() != parent)
                {
                    Console.WriteLine($"the `ablate run` (process {parent}) that started this trainer is gone: saving a checkpoint and stopping");
                    cancel.Cancel();
                    return;
                }
                Thread.Sleep(500);
            }
        }) { IsBackground = true, Name = "parent watch" };
        thread.Start();
    }
}
