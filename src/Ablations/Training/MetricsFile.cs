using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Ablations.Training;

/// <summary>
/// metrics.csv: one row per step, appended and flushed as the run goes. Reading keeps only whole rows, so the
/// torn last line of a killed process is dropped rather than failing the read.
/// </summary>
public sealed class MetricsFile : IDisposable, ITrainingCallback
{
    static readonly CsvConfiguration Config = new(CultureInfo.InvariantCulture);
    readonly StreamWriter _writer;
    readonly CsvWriter _csv;

    MetricsFile(string path, bool writeHeader)
    {
        _writer = new StreamWriter(path, append: true);
        _csv = new CsvWriter(_writer, Config);
        if (writeHeader)
        {
            _csv.WriteHeader<MetricsRow>();
            _csv.NextRecord();
            _csv.Flush();
        }
    }

    /// <summary>Opens for appending after keeping only the rows up to <paramref name="lastStep"/> (the checkpoint's step).</summary>
    public static MetricsFile OpenAfter(string path, int lastStep)
    {
        var kept = File.Exists(path) ? Read(path).Where(r => r.Step <= lastStep).ToList() : new List<MetricsRow>();
        WriteAll(path, kept);
        return new MetricsFile(path, writeHeader: false);
    }

    /// <summary>Replaces the file with <paramref name="rows"/> (header first), written aside and renamed into place.</summary>
    public static void WriteAll(string path, IEnumerable<MetricsRow> rows)
    {
        var temp = path + ".tmp";
        using (var writer = new StreamWriter(temp))
        using (var csv = new CsvWriter(writer, Config))
        {
            csv.WriteRecords(rows);
        }
        File.Move(temp, path, overwrite: true);
    }

    public MetricsRow OnStep(MetricsRow row, TrainerState state)
    {
        Write(row);
        return row;
    }

    public void Write(MetricsRow row)
    {
        _csv.WriteRecord(row);
        _csv.NextRecord();
        _csv.Flush();
        _writer.Flush();
    }

    /// <summary>Every whole, well-formed row of a metrics file (a partial or garbled last line is skipped).</summary>
    /// <param name="warn">Told of each garbled row skipped, by file and line; the rows after it are kept.</param>
    public static List<MetricsRow> Read(string path, Action<string>? warn = null)
    {
        var text = File.ReadAllText(path);
        var end = text.LastIndexOf('\n');
        text = end < 0 ? "" : text[..(end + 1)];          // a last line without its newline was cut short
        var rows = new List<MetricsRow>();
        using var reader = new StringReader(text);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null });
        if (!csv.Read() || !csv.ReadHeader()) return rows;
        while (csv.Read())
        {
            try { rows.Add(csv.GetRecord<MetricsRow>()); }
            catch (CsvHelperException) { warn?.Invoke($"{path}:{csv.Parser.RawRow}: garbled row skipped"); }
        }
        return rows;
    }

    public void Dispose()
    {
        _csv.Dispose();
        _writer.Dispose();
    }
}
