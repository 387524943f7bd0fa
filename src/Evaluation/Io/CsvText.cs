using CsvHelper;

// Every string member of this assembly's CSV record types is text that may carry user or model text (categories,
// prompts, paths), so it is guarded against spreadsheet formulas when written and restored when read.
[assembly: CsvConverter(typeof(Probe.Evaluation.Io.CsvText))]

namespace Probe.Evaluation.Io;

/// <summary>
/// CSV formula injection: Excel and LibreOffice run a cell that starts with '=', '+', '-', '@', tab or CR as a formula
/// (<c>=HYPERLINK(…)</c> leaks data, DDE runs programs), and prompts are adversarial text. Probe writes such a text
/// cell with a "'" in front, as OWASP recommends, so a spreadsheet shows it as text. To stay reversible a cell that
/// itself starts with "'" gets one more, and Probe's readers take exactly one off again when a "'" is followed by
/// one of those characters or by "'": every text round-trips through Probe unchanged. Numbers are not text cells and
/// are never prefixed (-0.5 stays a number).
/// </summary>
public sealed class CsvText : ICsvConverter<string>
{
    public const char Prefix = '\'';

    static bool IsTrigger(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>The cell as written: "'" + text when text starts with a formula character or with "'".</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > 0 && (IsTrigger(text[0]) || text[0] == Prefix) ? Prefix + text : text;
    }

    /// <summary>The text of a cell <see cref="Escape"/> wrote (a cell it did not change comes back as it is).</summary>
    public static string Unescape(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return cell.Length > 1 && cell[0] == Prefix && (IsTrigger(cell[1]) || cell[1] == Prefix) ? cell[1..] : cell;
    }

    public string Read(CsvReader reader, int index) => Unescape(reader.GetString(index));

    public void Write(CsvWriter writer, string value) => writer.WriteField(Escape(value));
}
