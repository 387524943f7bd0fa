using System.Globalization;
using CsvHelper;

// Every double and int member of this assembly's CSV record types is read and written by these converters.
[assembly: CsvConverter(typeof(Probe.Evaluation.Io.CsvFloat))]
[assembly: CsvConverter(typeof(Probe.Evaluation.Io.CsvInteger))]

namespace Probe.Evaluation.Io;

/// <summary>
/// Float columns: the shortest text that round-trips ("R"), always with a decimal point or an exponent (1.0, not 1), so
/// that pandas and other readers that infer column types read them as float64 and not as int64. Empty reads as NaN
/// and NaN writes as empty in record files.
/// </summary>
public sealed class CsvFloat : ICsvConverter<double>
{
    /// <summary>0.25 → "0.25", 1 → "1.0", 1e-5 → "1E-05", NaN → "NaN", ∞ → "Infinity".</summary>
    public static string Format(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return double.IsFinite(value) && text.AsSpan().IndexOfAny('.', 'E') < 0 ? text + ".0" : text;
    }

    public static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    public double Read(CsvReader reader, int index)
    {
        var text = reader.GetString(index).Trim();
        if (text.Length == 0) return double.NaN;
        return TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a number");
    }

    public void Write(CsvWriter writer, double value) => writer.WriteField(double.IsNaN(value) ? "" : Format(value));
}

/// <summary>Integer columns (counts, update numbers): written as integers, read as integers only.</summary>
public sealed class CsvInteger : ICsvConverter<int>
{
    public int Read(CsvReader reader, int index)
    {
        var text = reader.GetString(index).Trim();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value : throw new FormatException($"'{text}' is not an integer");
    }

    public void Write(CsvWriter writer, int value) => writer.WriteField(value.ToString(CultureInfo.InvariantCulture));
}
