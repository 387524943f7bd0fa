using System.Globalization;
using System.Xml.Linq;
using Probe.Runner.Reports.Html;

namespace Probe.Tests.Reports;

/// <summary>
/// Checks a chart's text labels without a browser: each &lt;text&gt; becomes the box its glyphs can fill (advance by
/// <see cref="Svg.TextWidth"/>, DejaVu Sans' ascent 0.93 em and descent 0.24 em), turned by a rotate(-90) transform
/// where it has one. The browser test checks the same with Chromium's own layout.
/// </summary>
public static class SvgLabels
{
    public sealed record Box(string Text, double Left, double Top, double Right, double Bottom)
    {
        public bool Overlaps(Box o) => Left < o.Right && o.Left < Right && Top < o.Bottom && o.Top < Bottom;
    }

    public static IReadOnlyList<Box> Boxes(string svg)
    {
        XNamespace ns = "http://www.w3.org/2000/svg";
        return XElement.Parse(svg).Descendants(ns + "text").Select(t =>
        {
            double Attr(string name) => double.Parse((string?)t.Attribute(name) ?? "0", CultureInfo.InvariantCulture);
            var (x, y, size) = (Attr("x"), Attr("y"), Attr("font-size"));
            var width = Svg.TextWidth(t.Value, size);
            var start = ((string?)t.Attribute("text-anchor")) switch { "middle" => x - width / 2, "end" => x - width, _ => x };
            var (above, below) = (0.93 * size, 0.24 * size);
            return (string?)t.Attribute("transform") == "rotate(-90)"
                ? new Box(t.Value, y - above, -(start + width), y + below, -start)   // (x, y) ↦ (y, −x): the text runs upwards
                : new Box(t.Value, start, y - above, start + width, y + below);
        }).ToList();
    }

    /// <summary>"'a' overlaps 'b'" and "'a' leaves the picture" for every such label; empty when the layout is clean.</summary>
    public static IReadOnlyList<string> Problems(string svg)
    {
        var viewBox = ((string)XElement.Parse(svg).Attribute("viewBox")!).Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var boxes = Boxes(svg);
        var problems = boxes.Where(b => b.Left < viewBox[0] || b.Top < viewBox[1] || b.Right > viewBox[0] + viewBox[2] || b.Bottom > viewBox[1] + viewBox[3])
            .Select(b => $"'{b.Text}' leaves the picture: {b}").ToList();
        for (var i = 0; i < boxes.Count; i++)
            for (var j = i + 1; j < boxes.Count; j++)
                if (boxes[i].Overlaps(boxes[j])) problems.Add($"'{boxes[i].Text}' overlaps '{boxes[j].Text}'");
        return problems;
    }
}
