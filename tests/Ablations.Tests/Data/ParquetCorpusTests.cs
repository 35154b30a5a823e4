using Ablations.Config;
using Ablations.Data;
using Parquet;

namespace Ablations.Tests.Data;

/// <summary>Parquet shards as dataset hubs publish them, written here by the same library that reads them.</summary>
public class ParquetCorpusTests
{
    readonly string _dir = TinyRuns.TempFolder("parquet-corpus-");

    static string?[] Rows(int from, int count) => Enumerable.Range(from, count).Select(i => i % 17 == 5 ? null : $"row {i}: and the lord said unto him, {i * 7}").ToArray();

    static DataConfig Parquet(string path, string? field = null) => new() { Source = DataSource.Parquet, Paths = new[] { path }, Field = field };

    [Fact]
    public void Every_row_of_every_row_group_of_every_shard_is_a_document()
    {
        TestCorpora.Parquet(_dir, "train-00000-of-00002.parquet", new[] { Rows(0, 150), Rows(150, 100) });
        TestCorpora.Parquet(_dir, "train-00001-of-00002.parquet", new[] { Rows(250, 120) }, column: "content");
        var rows = Rows(0, 150).Concat(Rows(150, 100)).Concat(Rows(250, 120)).ToList();

        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Parquet("train-*.parquet"), 16, _dir));
        Assert.Equal(("data.field", $"'{Path.Combine(_dir, "train-00001-of-00002.parquet")}' has no column 'text' (its columns: content, id)"), (e.Key, e.Reason));

        TestCorpora.Parquet(_dir, "train-00001-of-00002.parquet", new[] { Rows(250, 120) });
        using var data = DataFactory.Prepare(Parquet("train-*.parquet"), 16, _dir);
        Assert.Equal(370, data.Corpus!.Documents);   // a null is an empty document
        Assert.Equal(rows.Sum(r => r?.Length ?? 0), data.TrainTokens + data.ValidationTokens);
        Assert.Equal(HeldOut.Documents, data.Corpus.Split);
        Assert.InRange(data.Corpus.ValidationDocuments, 2, 60);
    }

    [Fact]
    public void A_column_that_is_not_text_fails_naming_the_shard()
    {
        var file = TestCorpora.Parquet(_dir, "shard.parquet", new[] { Rows(0, 20) });
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Parquet(file, field: "id"), 16, _dir));
        Assert.Equal(("data.field", $"column 'id' of '{file}' holds Int64, not text"), (e.Key, e.Reason));
    }

    [Fact]
    public void An_empty_shard_or_one_that_is_no_parquet_fails_naming_it()
    {
        var empty = TestCorpora.Parquet(_dir, "empty.parquet", Array.Empty<string?[]>());
        Assert.Equal($"'{empty}' has no rows (an empty shard)", Assert.Throws<DataException>(() => DataFactory.Prepare(Parquet(empty), 16, _dir)).Reason);
        var none = TestCorpora.Parquet(_dir, "no-rows.parquet", new[] { Array.Empty<string?>() });
        Assert.Equal($"'{none}' has no rows (an empty shard)", Assert.Throws<DataException>(() => DataFactory.Prepare(Parquet(none), 16, _dir)).Reason);
        var text = Path.Combine(_dir, "text.parquet");
        File.WriteAllText(text, "these are not the bytes of a parquet file");
        Assert.StartsWith($"'{text}' is not a readable Parquet file (", Assert.Throws<DataException>(() => DataFactory.Prepare(Parquet(text), 16, _dir)).Reason);
    }

    [Fact]
    public void A_damaged_row_group_fails_naming_the_shard_and_the_group()
    {
        var file = TestCorpora.Parquet(_dir, "damaged.parquet", new[] { Rows(0, 200), Rows(200, 200) });
        long start, length;
        using (var stream = File.OpenRead(file))
        {
            var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
            using var group = reader.OpenRowGroupReader(1);
            var chunk = group.RowGroup.Columns[0].MetaData!;
            (start, length) = (chunk.DictionaryPageOffset ?? chunk.DataPageOffset, chunk.TotalCompressedSize);
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        var bytes = File.ReadAllBytes(file);
        for (long i = start + length / 3; i < start + length; i++) bytes[i] = 0xff;
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<DataException>(() => DataFactory.Prepare(Parquet(file), 16, _dir));
        Assert.StartsWith($"'{file}', row group 1: cannot read column 'text' (", e.Reason);
    }
}
