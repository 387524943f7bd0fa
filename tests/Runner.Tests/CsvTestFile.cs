using Probe.Evaluation.Io;

namespace Probe.Tests;

/// <summary>Reads a CSV the command under test wrote, as header and rows of fields, with Probe's own CSV reader.</summary>
static class CsvTestFile
{
    public static (IReadOnlyList<string> Header, List<string[]> Rows) Read(string path)
    {
        using var csv = CsvFiles.Open(path);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add(Enumerable.Range(0, csv.FieldCount).Select(i => csv[i]).ToArray());
        return (csv.Header, rows);
    }
}
