using CsvHelper;

namespace Probe.Evaluation.Io;

/// <summary>
/// A CSV file being read with CsvHelper's reader, positioned on one data row at a time, with the line that row starts
/// on. Every problem becomes a <see cref="CsvFormatException"/> that names the file and the line.
/// </summary>
public sealed class CsvInput : IDisposable
{
    readonly CsvReader _reader;

    internal CsvInput(string path)
    {
        Path = path;
        var options = CsvFiles.ReaderOptions with
        {
            OnMalformedRecord = record =>
            {
                // CsvHelper recovers by running the field to the end of the file; that would swallow every later row.
                if (record.Reason == CsvMalformedReason.UnterminatedQuote)
                    throw new CsvFormatException(path, (int)record.LineNumber, "a quoted field is never closed");
            },
        };
        _reader = CsvReader.FromFile(path, options);
        try
        {
            // Probe writes column names escaped against spreadsheet formulas (CsvText); they are read back unescaped.
            Header = _reader.Headers.Select(h => CsvText.Unescape(h.Trim())).ToArray();
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
        if (Header.Count == 0 || Header is [""])
        {
            _reader.Dispose();
            throw new CsvFormatException(path, 0, "is empty: a header row is required");
        }
    }

    public string Path { get; }

    /// <summary>The column names, trimmed, with <see cref="CsvText"/>'s formula escape taken off.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The 1-based line the current row starts on (rows may span lines inside quotes).</summary>
    public int Line => (int)_reader.LineNumber;

    /// <summary>Fields of the current row.</summary>
    public int FieldCount => _reader.FieldCount;

    /// <summary>Field <paramref name="index"/> of the current row as written; "" past its end.</summary>
    public string this[int index] => index < _reader.FieldCount ? _reader.GetString(index) : "";

    /// <summary>Text field <paramref name="index"/> of the current row, with <see cref="CsvText"/>'s formula escape taken off.</summary>
    public string Text(int index) => CsvText.Unescape(this[index]);

    /// <summary>Moves to the next data row; false at the end of the file. Empty lines are skipped.</summary>
    public bool Read() => _reader.Read();

    /// <summary>
    /// The remaining rows as <typeparamref name="T"/>, a <see cref="CsvRecordAttribute"/> type, each with its line. A
    /// field that does not parse is reported with its column, its line and what is wrong with it, and so is a row with
    /// more or fewer fields than the header.
    /// </summary>
    public List<(int Line, T Record)> Records<T>()
    {
        var records = new List<(int, T)>();
        try
        {
            foreach (var record in _reader.GetRecords<T>())
            {
                CheckFieldCount();
                records.Add((Line, record));
            }
        }
        catch (KeyNotFoundException e)
        {
            // The record type's mapper names the required columns the header lacks.
            throw new CsvFormatException(Path, 1, $"{e.Message} (found: {string.Join(",", Header)})");
        }
        catch (CsvHelper.CsvFormatException e) when (e.InnerException is { } inner)
        {
            // A short or long row fails on some field; the field count is the real problem.
            CheckFieldCount();
            var column = e.FieldIndex >= 0 && e.FieldIndex < Header.Count ? Header[e.FieldIndex] + " " : "";
            throw new CsvFormatException(Path, (int)e.LineNumber, column + inner.Message);
        }
        return records;
    }

    /// <summary>Throws unless the current row has as many fields as the header.</summary>
    public void CheckFieldCount()
    {
        if (FieldCount != Header.Count)
            throw new CsvFormatException(Path, Line, $"has {FieldCount} fields, the header has {Header.Count}");
    }

    public void Dispose() => _reader.Dispose();
}
