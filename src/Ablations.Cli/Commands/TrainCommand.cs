using System.CommandLine;
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
        var command = new Command("train", "train a model; an interrupted run resumes from its last checkpoint when run again") { file, set, outDir, force, threads };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            var path = r.GetValue(file)!;
            var overrides = r.GetValue(set) ?? Array.Empty<string>();
            var config = RunConfig.Load(path, overrides);
            var folder = OutputFolder.Check(r.GetValue(outDir) ?? Path.Combine("results", "runs", Path.GetFileNameWithoutExtension(path)), "--out");
            var observer = new ConsoleObserver(config.Train.LogEvery);
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                var summary = CliRunner.InRunFile(path, overrides, () =>
                    observer.Wrap(() => new Trainer(config, folder, observer) { Threads = r.GetValue(threads) }.Run(r.GetValue(force), cancel.Token)));
                if (summary == null) return CliRunner.Interrupted;
                Console.WriteLine($"run folder: {Path.GetFullPath(folder)}");
                return CliRunner.Ok;
            }
            finally { Console.CancelKeyPress -= onCancel; }
        }));
        return command;
    }
}
