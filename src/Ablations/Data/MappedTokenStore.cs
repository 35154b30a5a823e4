using System.IO.MemoryMappedFiles;

namespace Ablations.Data;

/// <summary>A token file of the cache, memory-mapped: 2 bytes per token for vocabularies up to 65536, else 4.</summary>
public sealed class MappedTokenStore : ITokenStore
{
    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly int _width;

    public MappedTokenStore(string path, int width)
    {
        _width = width;
        var bytes = new FileInfo(path).Length;
        Length = bytes / width;
        if (Length == 0) throw new DataException($"token file '{path}' is empty");
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, bytes, MemoryMappedFileAccess.Read);
    }

    public long Length { get; }

    public void Read(long offset, Span<long> destination)
    {
        if (_width == 2)
        {
            var buffer = new ushort[destination.Length];
            _view.ReadArray(offset * 2, buffer, 0, buffer.Length);
            for (int i = 0; i < buffer.Length; i++) destination[i] = buffer[i];
        }
        else
        {
            var buffer = new int[destination.Length];
            _view.ReadArray(offset * 4, buffer, 0, buffer.Length);
            for (int i = 0; i < buffer.Length; i++) destination[i] = buffer[i];
        }
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
