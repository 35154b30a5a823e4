using System.Globalization;
using Ablations.Training;
using Spectre.Console;

namespace Ablations.Cli;

/// <summary>
/// Training progress on the console: a live progress bar with loss, tokens/s and time left on a terminal;
/// plain lines every log_every steps otherwise (CI, logs).
/// </summary>
public sealed class ConsoleObserver : ITrainingObserver
{
    readonly int _logEvery;
    readonly bool _interactive;
    ProgressTask? _task;
    ProgressContext? _context;

    public ConsoleObserver(int logEvery)
    {
        _logEvery = logEvery;
        _interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    }

    /// <summary>Runs <paramref name="body"/> inside a live progress display when on a terminal.</summary>
    public T Wrap<T>(Func<T> body)
    {
        if (!_interactive) return body();
        return AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => { _context = ctx; return body(); });
    }

    public void OnStart(int firstStep, int totalSteps, string description)
    {
        Console.WriteLine(description);
        if (_context != null)
        {
            _task = _context.AddTask("training", maxValue: totalSteps);
            _task.Value = firstStep;
        }
    }

    public void OnStep(MetricsRow row, int totalSteps)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = string.Create(inv, $"step {row.Step}/{totalSteps} loss {row.TrainLoss:F4} lr {row.Lr:0.###e0} {row.TokensPerSecond:F0} tok/s")
                   + (row.ValLoss is double v ? string.Create(inv, $" | val {v:F4} ppl {row.ValPerplexity:F2} bpb {row.ValBitsPerByte:F3}") : "");
        if (_task != null)
        {
            _task.Value = row.Step;
            _task.Description = Markup.Escape(text);
            if (row.ValLoss != null) AnsiConsole.WriteLine(text);
        }
        else if (row.Step % _logEvery == 0 || row.Step == totalSteps || row.ValLoss != null)
            Console.WriteLine(text);
    }

    public void OnMessage(string message)
    {
        if (_task != null) AnsiConsole.WriteLine(message);
        else Console.WriteLine(message);
    }
}
