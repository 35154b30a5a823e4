namespace Ablations.Data;

/// <summary>
/// The lines of a stream as UTF-8 bytes, numbered from 1, without their line feed or a carriage return before
/// it; undecoded, so that a line that is not valid UTF-8 is found (and named) by whoever parses it. A line is
/// valid until the next is read.
/// </summary>
public sealed class ByteLines(Stream stream)
{
    byte[] _buffer = new byte[1 << 16];
    int _start, _end;
    bool _ended;

    public long Number { get; private set; }
    public ReadOnlyMemory<byte> Line { get; private set; }

    /// <summary>Moves to the next line; false at the end of the stream.</summary>
    public bool Next()
    {
        while (true)
        {
            var feed = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
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
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) _ended = true;
            else _end += read;
        }
    }
}
