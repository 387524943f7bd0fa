using System.Globalization;
using Probe.Evaluation.Io;
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Results;

/// <summary>summary.csv: category, n, unsafe, rate, ci_low, ci_high (Wilson 95%); the last row is "all".</summary>
public static class SummaryCsv
{
    public const string FileName = "summary.csv";
    static readonly string[] Header = ["category", "n", "unsafe", "rate", "ci_low", "ci_high"];

    public static void Write(string path, IReadOnlyList<CategorySummary> rows) =>
        CsvTable.Write(path, Header, rows.Select(r => (IReadOnlyList<string>)
        [
            r.Category, r.N.ToString(CultureInfo.InvariantCulture), r.Unsafe.Successes.ToString(CultureInfo.InvariantCulture),
            F(r.Rate), F(r.CiLow), F(r.CiHigh),
        ]));

    public static List<CategorySummary> Read(string path)
    {
        var (header, rows) = CsvTable.Read(path);
        if (!header.SequenceEqual(Header))
            throw new CsvFormatException(path, 1, $"header must be {string.Join(",", Header)}");
        return rows.Select(r =>
        {
            int Int(int i) => int.TryParse(r[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw new CsvFormatException(path, r.Line, $"{Header[i]} '{r[i]}' is not a count");
            double Num(int i) => double.TryParse(r[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v : throw new CsvFormatException(path, r.Line, $"{Header[i]} '{r[i]}' is not a number");
            var n = Int(1);
            var k = Int(2);
            if (k > n) throw new CsvFormatException(path, r.Line, $"unsafe {k} exceeds n {n}");
            return new CategorySummary(r[0], new Proportion(k, n), Num(4), Num(5));
        }).ToList();
    }

    static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.######", CultureInfo.InvariantCulture);
}
