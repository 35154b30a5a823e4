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
    public const int Busy = CliRunner.Busy;

    public static Command Create()
    {
        var files = new Argument<string[]>("experiments") { Description = "experiment files (base, variants, seeds, sweep, scales), run one after the other", Arity = ArgumentArity.OneOrMore };
        var scale = new Option<string?>("--scale") { Description = "smoke | small | full (as the file defines them; default: the file's default_scale)" };
        var set = new Option<string[]>("--set") { Description = "override a key in every run, e.g. --set train.steps=100" };
        var only = new Option<string[]>("--only") { Description = "run only these variants (repeatable)" };
        var jobs = NumberOption.Create("--jobs", "runs at once, as separate processes sharing the CPU threads", 1, minimum: 1);
        var results = new Option<string>("--results") { Description = "results root", DefaultValueFactory = _ => "results" };
        var force = new Option<bool>("--force") { Description = "discard run folders written by a different configuration" };
        var noReport = new Option<bool>("--no-report") { Description = "skip each experiment's table and plots at the end" };
        var report = new Option<bool>("--report") { Description = "then write results/REPORT.md over every experiment in the results root" };
        var command = new Command("run", "run ablation experiments; rerun the same command to resume") { files, scale, set, only, jobs, results, force, noReport, report };
        command.SetAction(r => CliRunner.Guard(() =>
        {
            OutputFolder.Check(r.GetValue(results)!, "--results");
            var specs = r.GetValue(files)!.Select(ExperimentLoader.Load).ToList();   // check every file before running any
            foreach (var spec in specs)
            {
                var code = RunOne(spec, r.GetValue(scale), r.GetValue(set), r.GetValue(only), r.GetValue(jobs), r.GetValue(results)!, r.GetValue(force), r.GetValue(noReport));
                if (code != CliRunner.Ok) return code;
            }
            if (r.GetValue(report))
                Console.WriteLine($"report: {ReportWriter.Write(r.GetValue(results)!, "ablate " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), ReportCommand.Warn)}");
            return CliRunner.Ok;
        }));
        return command;
    }

    static int RunOne(ExperimentSpec spec, string? scale, string[]? set, string[]? only, int jobs, string results, bool force, bool noReport)
    {
        var onlyVariants = only is { Length: > 0 } o ? o : null;
        var runs = spec.Expand(scale, set, onlyVariants);
        var runner = new ExperimentRunner(spec, scale, results, new ExperimentConsole());
        Console.WriteLine($"experiment {spec.Name} -> {runner.Folder}");
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        ExperimentOutcome outcome;
        try
        {
            outcome = runner.RunAll(runs, best => spec.ExpandCompletion(scale, best, set, onlyVariants), jobs, force, new ProcessLauncher(), cancel.Token);
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
        if (!noReport) ReportCommand.WriteExperimentOutputs(runner.Folder);
        if (outcome.Failed.Count > 0)
        {
            Console.Error.WriteLine($"error: {outcome.Failed.Count} run(s) failed: {string.Join(", ", outcome.Failed)}");
            return CliRunner.Failure;
        }
        return CliRunner.Ok;
    }
}
