using System.Text;
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Statistics;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// Inline SVG: per category one horizontal bar per run (unsafe rate) with its Wilson interval as a whisker, the
/// value and count beside it. Horizontal bars keep long category names readable and scale to many categories. The
/// label column, the value column and the legend are sized from their text (<see cref="Svg.TextWidth"/>), so no label
/// overlaps another or leaves the picture; a name too long for its column is cut, with the full name in its &lt;title&gt;.
/// </summary>
public static class RateChart
{
    const double MinWidth = 820, MinPlotWidth = 300, MaxLabelWidth = 220, Pad = 8, Gap = 8, Top = 28, BarHeight = 14, BarGap = 3, GroupGap = 14;
    const double LabelFont = 12, ValueFont = 11, LegendSwatch = 12, LegendRow = 18;

    /// <param name="runLabels">Legend text per run.</param>
    /// <param name="rows">Per category, one proportion per run (null where that run lacks the category).</param>
    public static string Render(IReadOnlyList<string> runLabels, IReadOnlyList<(string Category, IReadOnlyList<Proportion?> Runs)> rows, double alpha)
    {
        var categoryLabels = rows.Select(r => Svg.Fit(r.Category, LabelFont, MaxLabelWidth)).ToList();
        var values = rows.Select(r => r.Runs.Select(p => p is { Trials: > 0 } q ? ValueText(q, alpha) : null).ToList()).ToList();
        var labelWidth = Pad + Math.Max(40, categoryLabels.Select(l => Svg.TextWidth(l, LabelFont)).DefaultIfEmpty(0).Max()) + Gap;
        // "100%" is centred on the plot's right edge: the value column must hold half of it too.
        var valueWidth = Gap + Math.Max(Svg.TextWidth("100%", ValueFont) / 2, values.SelectMany(v => v).Select(v => v is null ? 0 : Svg.TextWidth(v, ValueFont)).DefaultIfEmpty(0).Max()) + Pad;
        var width = Math.Max(MinWidth, labelWidth + MinPlotWidth + valueWidth);
        var plotWidth = width - labelWidth - valueWidth;

        var legend = Legend(runLabels, labelWidth, width);
        var groupHeight = runLabels.Count * (BarHeight + BarGap) - BarGap + GroupGap;
        var legendY = Top + rows.Count * groupHeight + 8;
        var height = legendY + legend.Rows * LegendRow + 4;
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart rate-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Svg.N(width)} {Svg.N(height)}\" role=\"img\" aria-labelledby=\"rate-chart-title\">");
        sb.Append($"<title id=\"rate-chart-title\">Unsafe rate per category with {Html.Text(Numbers.Confidence(alpha))} Wilson intervals</title>");
        foreach (var tick in new[] { 0, 0.25, 0.5, 0.75, 1 })
        {
            var x = labelWidth + tick * plotWidth;
            sb.Append($"<line class=\"grid\" x1=\"{Svg.N(x)}\" y1=\"{Svg.N(Top - 6)}\" x2=\"{Svg.N(x)}\" y2=\"{Svg.N(legendY - 8)}\" stroke=\"#ddd\"/>");
            sb.Append(Svg.Text(x, Top - 12, $"{tick * 100:0}%", ValueFont, "#555", "middle"));
        }
        for (var c = 0; c < rows.Count; c++)
        {
            var (category, runs) = rows[c];
            var y0 = Top + c * groupHeight;
            sb.Append($"<g class=\"rate-group\" data-category=\"{Html.Attr(category)}\"><title>{Html.Text(category)}</title>");
            sb.Append(Svg.Text(labelWidth - Gap, y0 + (groupHeight - GroupGap) / 2 + 4, categoryLabels[c], LabelFont, "#222", "end"));
            for (var r = 0; r < runs.Count; r++)
            {
                var y = y0 + r * (BarHeight + BarGap);
                if (runs[r] is not { Trials: > 0 } p)
                {
                    sb.Append(Svg.Text(labelWidth + 4, y + BarHeight - 3, "not in this run", ValueFont, "#888"));
                    continue;
                }
                var (low, high) = p.Wilson(alpha);
                var mid = y + BarHeight / 2;
                sb.Append($"<rect x=\"{Svg.N(labelWidth)}\" y=\"{Svg.N(y)}\" width=\"{Svg.N(Math.Max(p.Rate * plotWidth, 0.5))}\" height=\"{Svg.N(BarHeight)}\" fill=\"{Svg.Color(r)}\"/>");
                var (xl, xh) = (labelWidth + low * plotWidth, labelWidth + high * plotWidth);
                sb.Append($"<path class=\"ci\" d=\"M{Svg.N(xl)} {Svg.N(mid)}H{Svg.N(xh)}M{Svg.N(xl)} {Svg.N(y + 2)}V{Svg.N(y + BarHeight - 2)}M{Svg.N(xh)} {Svg.N(y + 2)}V{Svg.N(y + BarHeight - 2)}\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>");
                sb.Append(Svg.Text(labelWidth + plotWidth + Gap, y + BarHeight - 3, values[c][r]!, ValueFont, "#222"));
            }
            sb.Append("</g>");
        }
        foreach (var item in legend.Items)
        {
            var y = legendY + item.Row * LegendRow;
            sb.Append($"<g class=\"legend-item\"><title>{Html.Text(item.FullText)}</title>");
            sb.Append($"<rect x=\"{Svg.N(item.X)}\" y=\"{Svg.N(y)}\" width=\"{Svg.N(LegendSwatch)}\" height=\"{Svg.N(LegendSwatch)}\" fill=\"{Svg.Color(item.Run)}\"/>");
            sb.Append(Svg.Text(item.X + LegendSwatch + 4, y + 10, item.Text, ValueFont, "#222")).Append("</g>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    static string ValueText(Proportion p, double alpha)
    {
        var (low, high) = p.Wilson(alpha);
        return $"{Numbers.Percent(p.Rate)} {Numbers.Interval(low, high)} {p.Successes}/{p.Trials}";
    }

    sealed record LegendItem(int Run, string Text, string FullText, double X, int Row);

    /// <summary>Swatch and label per run, left to right from the plot's left edge, wrapping onto a new row when full.</summary>
    static (IReadOnlyList<LegendItem> Items, int Rows) Legend(IReadOnlyList<string> runLabels, double left, double width)
    {
        var items = new List<LegendItem>();
        var (x, row) = (left, 0);
        var textRoom = width - Pad - left - LegendSwatch - 4;
        for (var r = 0; r < runLabels.Count; r++)
        {
            var text = Svg.Fit(runLabels[r], ValueFont, textRoom);
            var itemWidth = LegendSwatch + 4 + Svg.TextWidth(text, ValueFont);
            if (x > left && x + itemWidth > width - Pad) (x, row) = (left, row + 1);
            items.Add(new LegendItem(r, text, runLabels[r], x, row));
            x += itemWidth + 18;
        }
        return (items, items.Count == 0 ? 0 : row + 1);
    }
}
