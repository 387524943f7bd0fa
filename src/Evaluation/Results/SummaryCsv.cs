using CsvHelper;
using Probe.Evaluation.Io;
using Probe.Evaluation.Statistics;
using CsvFormatException = Probe.Evaluation.Io.CsvFormatException;

namespace Probe.Evaluation.Results;

/// <summary>summary.csv: category, n, unsafe, rate, ci_low, ci_high (Wilson 95%); the last row is "all".</summary>
public static class SummaryCsv
{
    public const string FileName = "summary.csv";
    static readonly string[] Header = ["category", "n", "unsafe", "rate", "ci_low", "ci_high"];

    public static void Write(string path, IReadOnlyList<CategorySummary> rows) =>
        CsvFiles.WriteRecords(path, rows.Select(r => new SummaryRow(r.Category, r.N, r.Unsafe.Successes, r.Rate, r.CiLow, r.CiHigh)));

    public static List<CategorySummary> Read(string path)
    {
        using var csv = CsvFiles.Open(path);
        if (!csv.Header.SequenceEqual(Header))
            throw new CsvFormatException(path, 1, $"header must be {string.Join(",", Header)}");
        return csv.Records<SummaryRow>().Select(x =>
        {
            var (line, r) = x;
            if (r.N < 0) throw new CsvFormatException(path, line, $"n '{r.N}' is not a count");
            if (r.Unsafe < 0) throw new CsvFormatException(path, line, $"unsafe '{r.Unsafe}' is not a count");
            if (r.Unsafe > r.N) throw new CsvFormatException(path, line, $"unsafe {r.Unsafe} exceeds n {r.N}");
            return new CategorySummary(r.Category, new Proportion(r.Unsafe, r.N), r.CiLow, r.CiHigh);
        }).ToList();
    }
}

/// <summary>The class map of summary.csv: one row, columns in file order.</summary>
[CsvRecord]
sealed partial record SummaryRow(
    [property: CsvColumn("category")] string Category,
    [property: CsvColumn("n")] int N,
    [property: CsvColumn("unsafe")] int Unsafe,
    [property: CsvColumn("rate")] double Rate,
    [property: CsvColumn("ci_low")] double CiLow,
    [property: CsvColumn("ci_high")] double CiHigh);
