using Parquet;
using Parquet.Schema;

namespace Ablations.Data;

/// <summary>
/// Parquet shards, as dataset hubs publish them, read with Parquet.Net: one text column (data.field) is read
/// a row group at a time, and each row is a document, <c>{file name}:{row}</c>; a null is an empty document.
/// A shard without the column, whose column is not text, or without rows fails naming the shard (and the row group).
/// </summary>
public static class ParquetCorpus
{
    const string Paths = "data.paths";
    const string Field = "data.field";

    public static IEnumerable<Document> Documents(IReadOnlyList<string> files, string field, ProgressMeter? meter = null)
    {
        long before = 0;
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var length = new FileInfo(file).Length;
            using var stream = CorpusFiles.Open(file);
            var reader = Open(stream, file);
            try
            {
                var column = Column(reader, field, file);
                long row = 0;
                for (int group = 0; group < reader.RowGroupCount; group++)
                {
                    foreach (var text in Read(reader, group, column, file))
                        yield return new Document($"{name}:{row++}", text ?? "");
                    if (meter != null) meter.Bytes = before + length * (group + 1) / reader.RowGroupCount;
                }
                if (row == 0) throw new DataException($"'{file}' has no rows (an empty shard)", Paths);
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            before += length;
        }
    }

    static ParquetReader Open(Stream stream, string file)
    {
        try
        {
            return ParquetReader.CreateAsync(stream, leaveStreamOpen: true).GetAwaiter().GetResult();
        }
        catch (Exception e) when (Damaged(e))
        {
            throw new DataException($"'{file}' is not a readable Parquet file ({e.Message.TrimEnd('.')})", Paths);
        }
    }

    /// <summary>The text column named <paramref name="field"/> (by name, or by its path in a nested schema).</summary>
    static DataField Column(ParquetReader reader, string field, string file)
    {
        var fields = reader.Schema.GetDataFields();
        var column = fields.FirstOrDefault(f => f.Path.ToString() == field) ?? fields.FirstOrDefault(f => f.Name == field)
            ?? throw new DataException($"'{file}' has no column '{field}' (its columns: {string.Join(", ", fields.Select(f => f.Path.ToString()))})", Field);
        if (column.IsArray || column.ClrType != typeof(ReadOnlyMemory<char>) && column.ClrType != typeof(string))
            throw new DataException($"column '{field}' of '{file}' holds {(column.IsArray ? "lists" : column.ClrType.Name)}, not text", Field);
        return column;
    }

    /// <summary>The column's values in one row group: all of them are held while the group's rows are tokenised.</summary>
    static string?[] Read(ParquetReader reader, int group, DataField column, string file)
    {
        try
        {
            using var rows = reader.OpenRowGroupReader(group);
            var values = new string?[rows.RowCount];
            rows.ReadAsync(column, values.AsMemory(), null, default).AsTask().GetAwaiter().GetResult();
            return values;
        }
        catch (Exception e) when (Damaged(e))
        {
            throw new DataException($"'{file}', row group {group}: cannot read column '{column.Path}' ({e.Message.TrimEnd('.')})", Paths);
        }
    }

    /// <summary>
    /// Whether an exception of the Parquet reader means a file it cannot decode: damaged bytes surface as almost
    /// any exception (a bad offset, a short page, a failed decompression), all of them the file's fault.
    /// </summary>
    static bool Damaged(Exception e) => e is not (DataException or OutOfMemoryException or OperationCanceledException);
}
