using System.Text;

namespace Probe.Runner.Reports;

/// <summary>A fixed-width console table: columns padded to their widest cell, numbers right-aligned.</summary>
public sealed class TextTable(params string[] header)
{
    readonly List<string[]> _rows = [];
    readonly HashSet<int> _rightAligned = [];

    public TextTable AlignRight(params int[] columns)
    {
        _rightAligned.UnionWith(columns);
        return this;
    }

    public void Add(params string[] cells)
    {
        if (cells.Length != header.Length) throw new ArgumentException($"{cells.Length} cells for {header.Length} columns");
        _rows.Add(cells);
    }

    public void WriteTo(TextWriter writer, string indent = "")
    {
        var widths = header.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        writer.WriteLine(indent + Line(header, widths));
        foreach (var row in _rows) writer.WriteLine(indent + Line(row, widths));
    }

    string Line(string[] cells, int[] widths)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0) sb.Append("  ");
            sb.Append(_rightAligned.Contains(i) ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }
        return sb.ToString().TrimEnd();
    }
}
