namespace Ablations.Data;

/// <summary>
/// The lines of a stream as UTF-8 bytes, numbered from 1, without their line feed or a carriage return before
/// it; undecoded, so that a line that is not valid UTF-8 is found (and named) by whoever parses it. A line is
/// valid until the next is read. No line is held beyond <see cref="MaxLength"/> bytes: a longer one (a file
/// without line feeds, a gzip stream that expands to gigabytes) is read through and passed over, and is
/// <see cref="TooLong"/>, so memory stays bounded whatever the input.
/// </summary>
public sealed class ByteLines(Stream stream, int maxLength = ByteLines.MaxLength, CancellationToken cancel = default)
{
    /// <summary>The longest line held, in bytes (64 MiB): far above a dataset's documents, and small to hold.</summary>
    public const int MaxLength = 1 << 26;

    byte[] _buffer = new byte[Math.Min(1 << 16, maxLength + 1)];
    int _start, _end;
    bool _ended;

    public long Number { get; private set; }
    public ReadOnlyMemory<byte> Line { get; private set; }
    /// <summary>Whether the current line was over the limit: passed over, with an empty <see cref="Line"/>.</summary>
    public bool TooLong { get; private set; }

    /// <summary>Moves to the next line; false at the end of the stream.</summary>
    public bool Next()
    {
        TooLong = false;
        while (true)
        {
            var feed = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (feed < 0 && _end - _start > maxLength)
            {
                PassOverLine();
                return true;
            }
            if (feed >= 0 || (_ended && _start < _end))
            {
                var length = feed >= 0 ? feed : _end - _start;
                var line = _buffer.AsMemory(_start, length);
                Line = line.Span.EndsWith("\r"u8) ? line[..^1] : line;
                _start += feed >= 0 ? feed + 1 : length;
                Number++;
                return true;
            }
            if (_ended) return false;
            Fill();
        }
    }

    /// <summary>Reads on to the end of a line that is too long to hold, keeping nothing of it.</summary>
    void PassOverLine()
    {
        Number++;
        (Line, TooLong) = (ReadOnlyMemory<byte>.Empty, true);
        while (true)
        {
            var feed = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (feed >= 0)
            {
                _start += feed + 1;
                return;
            }
            (_start, _end) = (0, 0);
            if (_ended) return;
            Fill();
        }
    }

    /// <summary>Reads more of the stream after what is held, growing the buffer to one byte over the limit.</summary>
    void Fill()
    {
        cancel.ThrowIfCancellationRequested();
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, maxLength + 1L));
        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _ended = true;
        else _end += read;
    }
}
