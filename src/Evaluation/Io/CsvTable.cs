using System.Text;

namespace Probe.Evaluation.Io;

/// <summary>One data row of a CSV file with the line it starts on (for error messages).</summary>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields)
{
    public string this[int index] => index < Fields.Count ? Fields[index] : "";
}

/// <summary>
/// RFC 4180 CSV: comma-separated, fields quoted with '"' when they hold commas, quotes or line breaks, quotes doubled.
/// Reading keeps line numbers and reports unterminated quotes; writing always produces a parseable file, whatever the
/// text (prompts are adversarial input).
/// </summary>
public static class CsvTable
{
    /// <summary>Reads header and rows. A row whose field count differs from the header's is returned as it is; callers decide.</summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows) Read(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: file not found", path);
        var text = System.IO.File.ReadAllText(path, Encoding.UTF8);
        return Parse(text, path);
    }

    public static (IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows) Parse(string text, string source)
    {
        var rows = new List<CsvRow>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var rowLine = 1;
        var quoted = false;
        var fieldStarted = false;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;

        void EndField()
        {
            fields.Add(field.ToString());
            field.Clear();
            fieldStarted = false;
        }

        void EndRow()
        {
            EndField();
            if (!(fields.Count == 1 && fields[0].Length == 0)) rows.Add(new CsvRow(rowLine, fields.ToArray()));
            fields.Clear();
        }

        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') line++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    EndField();
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRow();
                    line++;
                    rowLine = line;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (quoted) throw new CsvFormatException(source, rowLine, "a quoted field is never closed");
        if (field.Length > 0 || fields.Count > 0) EndRow();
        if (rows.Count == 0) throw new CsvFormatException(source, 0, "is empty: a header row is required");
        var header = rows[0].Fields.Select(h => h.Trim()).ToArray();
        return (header, rows.Skip(1).ToArray());
    }

    public static string Format(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder();
        AppendRow(sb, header);
        foreach (var row in rows) AppendRow(sb, row);
        return sb.ToString();
    }

    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows) =>
        AtomicFile.WriteAllText(path, Format(header, rows));

    static void AppendRow(StringBuilder sb, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(Escape(fields[i]));
        }
        sb.Append('\n');
    }

    public static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 || (field.Length > 0 && (field[0] == ' ' || field[^1] == ' '))
            ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : field;
}
