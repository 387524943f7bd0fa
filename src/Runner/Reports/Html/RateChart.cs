using System.Text;
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Statistics;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// Inline SVG: per category one horizontal bar per run (unsafe rate) with its Wilson interval as a whisker, the
/// value and count beside it. Horizontal bars keep long category names readable and scale to many categories.
/// </summary>
public static class RateChart
{
    const double Width = 820, LabelWidth = 170, PlotWidth = 440, Top = 28, BarHeight = 14, BarGap = 3, GroupGap = 14;

    /// <param name="runLabels">Legend text per run.</param>
    /// <param name="rows">Per category, one proportion per run (null where that run lacks the category).</param>
    public static string Render(IReadOnlyList<string> runLabels, IReadOnlyList<(string Category, IReadOnlyList<Proportion?> Runs)> rows, double alpha)
    {
        var groupHeight = runLabels.Count * (BarHeight + BarGap) - BarGap + GroupGap;
        var legendY = Top + rows.Count * groupHeight + 8;
        var height = legendY + 22;
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart rate-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Svg.N(Width)} {Svg.N(height)}\" role=\"img\" aria-labelledby=\"rate-chart-title\">");
        sb.Append($"<title id=\"rate-chart-title\">Unsafe rate per category with {Html.Text(Numbers.Confidence(alpha))} Wilson intervals</title>");
        foreach (var tick in new[] { 0, 0.25, 0.5, 0.75, 1 })
        {
            var x = LabelWidth + tick * PlotWidth;
            sb.Append($"<line class=\"grid\" x1=\"{Svg.N(x)}\" y1=\"{Svg.N(Top - 6)}\" x2=\"{Svg.N(x)}\" y2=\"{Svg.N(legendY - 8)}\" stroke=\"#ddd\"/>");
            sb.Append($"<text x=\"{Svg.N(x)}\" y=\"{Svg.N(Top - 12)}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{tick * 100:0}%</text>");
        }
        for (var c = 0; c < rows.Count; c++)
        {
            var (category, runs) = rows[c];
            var y0 = Top + c * groupHeight;
            sb.Append($"<g class=\"rate-group\" data-category=\"{Html.Attr(category)}\"><title>{Html.Text(category)}</title>");
            sb.Append($"<text x=\"{Svg.N(LabelWidth - 8)}\" y=\"{Svg.N(y0 + (groupHeight - GroupGap) / 2 + 4)}\" text-anchor=\"end\" font-size=\"12\" fill=\"#222\">{Html.Text(Svg.Shorten(category, 24))}</text>");
            for (var r = 0; r < runs.Count; r++)
            {
                var y = y0 + r * (BarHeight + BarGap);
                if (runs[r] is not { Trials: > 0 } p)
                {
                    sb.Append($"<text x=\"{Svg.N(LabelWidth + 4)}\" y=\"{Svg.N(y + BarHeight - 3)}\" font-size=\"11\" fill=\"#888\">not in this run</text>");
                    continue;
                }
                var (low, high) = p.Wilson(alpha);
                var mid = y + BarHeight / 2;
                sb.Append($"<rect x=\"{Svg.N(LabelWidth)}\" y=\"{Svg.N(y)}\" width=\"{Svg.N(Math.Max(p.Rate * PlotWidth, 0.5))}\" height=\"{Svg.N(BarHeight)}\" fill=\"{Svg.Color(r)}\"/>");
                var (xl, xh) = (LabelWidth + low * PlotWidth, LabelWidth + high * PlotWidth);
                sb.Append($"<path class=\"ci\" d=\"M{Svg.N(xl)} {Svg.N(mid)}H{Svg.N(xh)}M{Svg.N(xl)} {Svg.N(y + 2)}V{Svg.N(y + BarHeight - 2)}M{Svg.N(xh)} {Svg.N(y + 2)}V{Svg.N(y + BarHeight - 2)}\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>");
                sb.Append($"<text x=\"{Svg.N(LabelWidth + PlotWidth + 8)}\" y=\"{Svg.N(y + BarHeight - 3)}\" font-size=\"11\" fill=\"#222\">{Html.Text($"{Numbers.Percent(p.Rate)} {Numbers.Interval(low, high)} {p.Successes}/{p.Trials}")}</text>");
            }
            sb.Append("</g>");
        }
        var lx = LabelWidth;
        for (var r = 0; r < runLabels.Count; r++)
        {
            sb.Append($"<rect x=\"{Svg.N(lx)}\" y=\"{Svg.N(legendY)}\" width=\"12\" height=\"12\" fill=\"{Svg.Color(r)}\"/>");
            var label = Svg.Shorten(runLabels[r], 40);
            sb.Append($"<text x=\"{Svg.N(lx + 16)}\" y=\"{Svg.N(legendY + 10)}\" font-size=\"11\" fill=\"#222\">{Html.Text(label)}</text>");
            lx += 16 + label.Length * 6.5 + 18;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
