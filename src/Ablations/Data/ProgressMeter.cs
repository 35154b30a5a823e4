using System.Diagnostics;

namespace Ablations.Data;

/// <summary>
/// Counts one pass over a corpus (bytes of its files read, tokens written) and reports it through a callback at
/// most five times a second, so that a reader may update it after every document at no cost.
/// </summary>
public sealed class ProgressMeter
{
    static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);
    readonly DataPhase _phase;
    readonly long _totalBytes;
    readonly Action<DataProgress>? _report;
    readonly Stopwatch _watch = Stopwatch.StartNew();
    TimeSpan _next = TimeSpan.Zero;

    public ProgressMeter(DataPhase phase, long totalBytes, Action<DataProgress>? report)
    {
        _phase = phase;
        _totalBytes = totalBytes;
        _report = report;
    }

    /// <summary>Bytes of the corpus's files read so far.</summary>
    public long Bytes { get; set; }
    public long Tokens { get; private set; }
    /// <summary>Bytes of UTF-8 text tokenised so far.</summary>
    public long TextBytes { get; private set; }

    public void AddTokens(long count, long textBytes = 0)
    {
        Tokens += count;
        TextBytes += textBytes;
        Tick();
    }

    /// <summary>Reports when the last report is old enough.</summary>
    public void Tick()
    {
        var now = _watch.Elapsed;
        if (_report == null || now < _next) return;
        _next = now + Interval;
        _report(new DataProgress(_phase, Math.Min(Bytes, _totalBytes), _totalBytes, Tokens, TextBytes, now, Done: false));
    }

    /// <summary>The last report, of a full bar (a capped corpus stops reading early).</summary>
    public void Finish() => _report?.Invoke(new DataProgress(_phase, _totalBytes, _totalBytes, Tokens, TextBytes, _watch.Elapsed, Done: true));

    /// <summary>The total size of <paramref name="files"/>, which a pass over them reads.</summary>
    public static long SizeOf(IEnumerable<string> files) => files.Sum(f => new FileInfo(f).Length);
}
