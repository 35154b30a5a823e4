using System.Buffers.Binary;

namespace Ablations.Data;

/// <summary>Appends token ids to a token file, 2 or 4 bytes each, little-endian (the cache's format and nanoGPT's).</summary>
public sealed class TokenFileWriter : IDisposable
{
    readonly FileStream _stream;
    readonly int _width;
    byte[] _buffer = new byte[1 << 16];

    public TokenFileWriter(string path, int width)
    {
        _width = width;
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
    }

    /// <summary>Tokens written so far.</summary>
    public long Count { get; private set; }

    public void Append(ReadOnlySpan<int> ids)
    {
        var bytes = ids.Length * _width;
        if (_buffer.Length < bytes) _buffer = new byte[bytes];
        var span = _buffer.AsSpan(0, bytes);
        for (int i = 0; i < ids.Length; i++)
        {
            if (_width == 2) BinaryPrimitives.WriteUInt16LittleEndian(span[(2 * i)..], (ushort)ids[i]);
            else BinaryPrimitives.WriteInt32LittleEndian(span[(4 * i)..], ids[i]);
        }
        _stream.Write(span);
        Count += ids.Length;
    }

    public void Dispose() => _stream.Dispose();
}
