using System.CommandLine;
using System.Runtime.InteropServices;
using Ablations.Config;
using Ablations.Training;

namespace Ablations.Cli.Commands;

/// <summary>`ablate train config.yaml [--set k=v] [--out DIR] [--force]`: trains one run; rerunning resumes it.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("config") { Description = "a run configuration (model, data, train)" };
        var set = new Option<string[]>("--set") { Description = "override a key, e.g. --set train.lr=3e-3 --set model.n_kv_heads=2" };
        var outDir = new Option<string?>("--out") { Description = "run folder (default results/runs/<config name>)" };
        var force = new Option<bool>("--force") { Description = "discard a run folder written by a different configuration, or a finished run" };
        var threads = NumberOption.Optional<int>("--threads", "CPU threads for libtorch (overrides train.threads without changing the run's configuration)", minimum: 1);
        var log = new Option<string?>("--log") { Description = "append this command's output to a file instead of the console (ablate run --jobs uses it)" };
        var command = new Command("train", "train a model; an interrupted run resumes from its last checkpoint when run again") { file, set, outDir, force, threads, log };
        command.SetAction(r =>
        {
            // Output to the run's own log (not through the parent's pipe), so a trainer whose parent died can still
            // say what it does while it checkpoints.
            if (r.GetValue(log) is { } logFile && CliRunner.Guard(() => OpenLog(logFile)) is var opened && opened != CliRunner.Ok)
                return opened;
            return CliRunner.Guard(() => Train(r, file, set, outDir, force, threads));
        });
        return command;
    }

    /// <summary>Sends this command's output to <paramref name="logFile"/> (appended), refusing a folder or a missing parent as bad input.</summary>
    static int OpenLog(string logFile)
    {
        if (Directory.Exists(logFile)) throw new ConfigException("is a folder; --log takes a file to append to", logFile, key: "--log");
        var parent = Path.GetDirectoryName(Path.GetFullPath(logFile));
        if (parent != null && !Directory.Exists(parent))
            throw new ConfigException($"its folder {parent} does not exist; --log appends to a file in an existing folder", logFile, key: "--log");
        var writer = new StreamWriter(logFile, append: true) { AutoFlush = true };
        Console.SetOut(writer);
        Console.SetError(writer);
        return CliRunner.Ok;
    }

    static int Train(ParseResult r, Argument<string> file, Option<string[]> set, Option<string?> outDir, Option<bool> force, Option<int?> threads)
    {
        var path = r.GetValue(file)!;
        var overrides = r.GetValue(set) ?? Array.Empty<string>();
        var config = RunConfig.Load(path, overrides);
        var folder = OutputFolder.Check(r.GetValue(outDir) ?? Path.Combine("results", "runs", Path.GetFileNameWithoutExtension(path)), "--out");
        var observer = new ConsoleObserver(config.Train.LogEvery);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        // SIGTERM (kill, a scheduler's time limit) and SIGHUP (a closed terminal) checkpoint like Ctrl-C.
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        using var onHangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; cancel.Cancel(); });
        ParentWatch.Start(cancel);
        try
        {
            var summary = CliRunner.InRunFile(path, overrides, () =>
                observer.Wrap(() => new Trainer(config, folder, observer) { Threads = r.GetValue(threads) }.Run(r.GetValue(force), cancel.Token)));
            if (summary == null) return CliRunner.Interrupted;
            Console.WriteLine($"run folder: {Path.GetFullPath(folder)}");
            return CliRunner.Ok;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}
