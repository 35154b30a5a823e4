using System.CommandLine;
using Ablations.Experiments;
using Ablations.Reporting;

namespace Ablations.Cli.Commands;

/// <summary>
/// `ablate run experiment.yaml`: every variant x sweep point x seed; complete runs are skipped and interrupted
/// ones resume, so the same command after a crash finishes the work. Ends with the table and plots.
/// </summary>
public static class RunCommand
{
    public const int Busy = 3;

    public static Command Create()
    {
        var file = new Argument<string>("experiment") { Description = "an experiment file (base, variants, seeds, sweep, scales)" };
        var scale = new Option<string?>("--scale") { Description = "smoke | small | full (as the file defines them; default: the file's default_scale)" };
        var set = new Option<string[]>("--set") { Description = "override a key in every run, e.g. --set train.steps=100" };
        var only = new Option<string[]>("--only") { Description = "run only these variants (repeatable)" };
        var jobs = new Option<int>("--jobs") { Description = "runs at once, as separate processes sharing the CPU threads", DefaultValueFactory = _ => 1 };
        var results = new Option<string>("--results") { Description = "results root", DefaultValueFactory = _ => "results" };
        var force = new Option<bool>("--force") { Description = "discard run folders written by a different configuration" };
        var noReport = new Option<bool>("--no-report") { Description = "skip the table and plots at the end" };
        var command = new Command("run", "run an ablation experiment; rerun the same command to resume") { file, scale, set, only, jobs, results, force, noReport };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            if (r.GetValue(jobs) < 1) throw new Config.ConfigException("must be at least 1", key: "--jobs");
            var spec = ExperimentLoader.Load(r.GetValue(file)!);
            var onlyVariants = r.GetValue(only) is { Length: > 0 } o ? o : null;
            var runs = spec.Expand(r.GetValue(scale), r.GetValue(set), onlyVariants);
            var runner = new ExperimentRunner(spec, r.GetValue(scale), r.GetValue(results)!, new ExperimentConsole());
            Console.WriteLine($"experiment {spec.Name} -> {runner.Folder}");
            using var cancel = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
            Console.CancelKeyPress += onCancel;
            ExperimentOutcome outcome;
            try
            {
                outcome = runner.Run(runs, r.GetValue(jobs), r.GetValue(force), new ProcessLauncher(), cancel.Token);
            }
            catch (ExperimentBusyException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Busy;
            }
            finally { Console.CancelKeyPress -= onCancel; }
            if (outcome.Interrupted)
            {
                Console.WriteLine("interrupted: finished runs are kept and the others have checkpoints; run the same command again to resume");
                return CliRunner.Interrupted;
            }
            if (!r.GetValue(noReport)) ReportCommand.WriteExperimentOutputs(runner.Folder);
            if (outcome.Failed.Count > 0)
            {
                Console.Error.WriteLine($"error: {outcome.Failed.Count} run(s) failed: {string.Join(", ", outcome.Failed)}");
                return CliRunner.Failure;
            }
            return CliRunner.Ok;
        }));
        return command;
    }
}
