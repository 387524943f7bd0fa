using System.Globalization;
using CsvHelper;
using Probe.Core.Io;

namespace Probe.Evaluation.Io;

/// <summary>
/// The one CSV dialect of every file Probe reads and writes: comma-separated RFC 4180 (fields quoted with '"' when they
/// hold commas, quotes or line breaks, quotes doubled), invariant culture, UTF-8 without a byte order mark, LF line
/// ends. Writing always produces a parseable file, whatever the text (prompts are adversarial input); reading keeps
/// line numbers for error messages and refuses a quoted field that is never closed.
/// </summary>
public static class CsvFiles
{
    /// <summary>Reader settings (CsvHelper 34.0.0).</summary>
    public static readonly CsvReaderOptions ReaderOptions = CsvReaderOptions.Default with
    {
        // Always ',': CsvHelper 34 detects the separator when none is set, and a one-column file or a prompt full of
        // semicolons would be read with the wrong one.
        Separator = ',',
        DetectSeparatorHint = false,
        Mode = CsvMode.Rfc4180,
        HasHeader = true,
        AllowLineBreaksInQuotes = true,
        SkipEmptyLines = true,
        TrimWhitespace = false,
        TrackLineNumbers = true,
        // A stray quote inside a field ("5" tall") is kept as text, as hand-made prompt files need; only a quote that
        // is never closed is an error (OnMalformedRecord, set per file in Open).
        MalformedData = CsvMalformedDataHandling.Recover,
        // Callers compare each row's field count with the header's and say what happens to the row.
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MissingField = CsvMissingFieldHandling.ReturnEmpty,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    /// <summary>Writer settings (CsvHelper 34.0.0).</summary>
    public static readonly CsvWriterOptions WriterOptions = CsvWriterOptions.Default with
    {
        Separator = ',',
        Mode = CsvMode.Rfc4180,
        // LF, as Probe's files always had; RFC 4180 readers (pandas, CsvHelper, Excel) take either.
        NewLine = "\n",
        // Leading or trailing spaces are quoted too, so that readers which trim unquoted fields keep them.
        Quoting = CsvQuoting.WhenNeededOrWhitespace,
        // CsvHelper's own escaping would also prefix numbers written as text (-0.5) and cannot be undone for a text
        // that starts with "'"; text cells are escaped by CsvText instead, reversibly, and numbers are left alone.
        Injection = CsvInjection.None,
        ValidateFieldCount = true,
        WriteByteOrderMark = false,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CsvFormatException">The file is empty or its header holds an unclosed quote.</exception>
    public static CsvInput Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        return new CsvInput(path);
    }

    /// <summary>Writes a file of <typeparamref name="T"/> records (a <see cref="CsvRecordAttribute"/> type): header, then one row each.</summary>
    public static void WriteRecords<T>(string path, IEnumerable<T> records) => Write(path, writer => WriteRecords(writer, records));

    /// <summary>
    /// Writes a header and rows of already formatted fields, for files whose columns depend on the data. The header and
    /// the cells of the columns <paramref name="isText"/> says are text are escaped against formulas (<see cref="CsvText"/>);
    /// the others are numbers and are written as they are.
    /// </summary>
    public static void WriteTable(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, Func<string, bool> isText) =>
        Write(path, writer => WriteTable(writer, header, rows, isText));

    /// <summary>The text <see cref="WriteRecords{T}(string, IEnumerable{T})"/> writes.</summary>
    public static string FormatRecords<T>(IEnumerable<T> records) => Format(writer => WriteRecords(writer, records));

    /// <summary>The text <see cref="WriteTable(string, IReadOnlyList{string}, IEnumerable{IReadOnlyList{string}}, Func{string, bool})"/> writes.</summary>
    public static string FormatTable(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, Func<string, bool> isText) =>
        Format(writer => WriteTable(writer, header, rows, isText));

    static void WriteRecords<T>(CsvWriter writer, IEnumerable<T> records)
    {
        // WriteRecords writes the header only when there is a record; an empty table still gets its header.
        writer.WriteHeader<T>();
        writer.WriteRecords(records);
    }

    static void WriteTable(CsvWriter writer, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, Func<string, bool> isText)
    {
        // Column names carry judge names and labels, which come from specs and model files.
        writer.WriteHeader(header.Select(CsvText.Escape).ToArray());
        var text = header.Select(isText).ToArray();
        foreach (var row in rows) writer.WriteRecord(row.Select((cell, i) => i < text.Length && text[i] ? CsvText.Escape(cell) : cell).ToArray());
    }

    static void Write(string path, Action<CsvWriter> write) => AtomicFile.Write(path, stream =>
    {
        using var writer = CsvWriter.Create(stream, WriterOptions, leaveOpen: true);
        write(writer);
    });

    static string Format(Action<CsvWriter> write)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = CsvWriter.Create(text, WriterOptions, leaveOpen: true)) write(writer);
        return text.ToString();
    }
}
