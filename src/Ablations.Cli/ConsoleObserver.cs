using System.Globalization;
using Ablations.Data;
using Ablations.Training;
using Spectre.Console;

namespace Ablations.Cli;

/// <summary>
/// Training progress on the console: a live progress bar with loss, tokens/s and time left on a terminal;
/// plain lines every log_every steps otherwise (CI, logs). The data's preparation shows the same way.
/// </summary>
public sealed class ConsoleObserver : ITrainingObserver
{
    readonly int _logEvery;
    readonly bool _interactive;
    ProgressTask? _task;
    ProgressTask? _dataTask;
    ProgressContext? _context;
    DateTime _lastDataLine = DateTime.UtcNow;

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
                   + (row.ValLoss is double v ? string.Create(inv, $" | val {v:F4} ppl {row.ValPerplexity:F2} bpb {row.ValBitsPerByte:F3} acc {row.ValAccuracy:P1}") : "");
        if (_task != null)
        {
            _task.Value = row.Step;
            _task.Description = Markup.Escape(text);
            if (row.ValLoss != null) AnsiConsole.WriteLine(text);
        }
        else if (row.Step % _logEvery == 0 || row.Step == totalSteps || row.ValLoss != null)
            Console.WriteLine(text);
    }

    /// <summary>
    /// A bar of bytes read with bytes and tokens per second on a terminal; otherwise a line every ten seconds and
    /// one at the end of a pass that read anything for a second or more (tokenising is always said).
    /// </summary>
    public void OnDataProgress(DataProgress progress)
    {
        var text = progress.Describe();
        if (_context != null)
        {
            _dataTask ??= _context.AddTask(progress.Phase.ToString().ToLowerInvariant(), maxValue: Math.Max(1, progress.TotalBytes));
            _dataTask.Value = progress.Bytes;
            _dataTask.Description = Markup.Escape(text);
            if (!progress.Done) return;
            _dataTask.StopTask();
            _dataTask = null;
        }
        else if (progress.Done ? progress.Phase == DataPhase.Tokenizing || progress.Elapsed >= TimeSpan.FromSeconds(1) : DateTime.UtcNow - _lastDataLine >= TimeSpan.FromSeconds(10))
        {
            Console.WriteLine(text);
            _lastDataLine = DateTime.UtcNow;
        }
    }

    public void OnMessage(string message)
    {
        if (_context != null) AnsiConsole.WriteLine(message);
        else Console.WriteLine(message);
    }
}
