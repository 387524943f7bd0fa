using System.Text;
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Results;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// Inline SVG of an attack run's train_log.csv: the mean judge reward per GRPO update as a line, ± one standard
/// deviation of the group's rewards as a band — the curve that shows how fast the safety came off — and, beside it
/// when the log has the column, the share of the update's images the judge called unsafe. Margins are sized from the
/// tick labels (<see cref="Svg.TextWidth"/>) and the x ticks thinned until their labels have room, so no label
/// overlaps another or leaves the picture.
/// </summary>
public static class RewardChart
{
    const double Width = 820, Height = 240, PanelGap = 24, Top = 14, Bottom = 44, TickFont = 11, TitleFont = 12;

    sealed record Point(double X, double Y, double Sd);

    /// <summary>Null when the log has no usable reward values.</summary>
    public static string? Render(TrainLog log, string title)
    {
        var rewards = Points(log, "reward_mean", "reward_std");
        if (rewards.Count == 0) return null;
        var unsafeRates = Points(log, "unsafe_rate", null);

        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart reward-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Svg.N(Width)} {Svg.N(Height)}\" role=\"img\"><title>{Html.Text(title)}</title>");
        var panelWidth = unsafeRates.Count == 0 ? Width : (Width - PanelGap) / 2;
        Panel(sb, 0, panelWidth, rewards, "mean reward", "reward", "#e15759", percent: false);
        if (unsafeRates.Count > 0) Panel(sb, panelWidth + PanelGap, panelWidth, unsafeRates, "unsafe rate", "unsafe", "#4e79a7", percent: true);
        sb.Append("</svg>");
        return sb.ToString();
    }

    static List<Point> Points(TrainLog log, string column, string? spreadColumn)
    {
        if (!log.Series.TryGetValue(column, out var values)) return [];
        var updates = log.Series["update"];
        var spread = spreadColumn is not null && log.Series.TryGetValue(spreadColumn, out var s) ? s : null;
        return Enumerable.Range(0, updates.Length)
            .Where(i => double.IsFinite(updates[i]) && double.IsFinite(values[i]))
            .Select(i => new Point(updates[i], values[i], spread is not null && double.IsFinite(spread[i]) ? spread[i] : double.NaN))
            .OrderBy(p => p.X).ToList();
    }

    /// <summary>One line chart in the horizontal slice [x0, x0 + width) of the picture.</summary>
    static void Panel(StringBuilder sb, double x0, double width, List<Point> points, string yTitle, string name, string color, bool percent)
    {
        double yLow, yHigh;
        IReadOnlyList<double> yTicks;
        // A rate's axis is 0–100%; a log with values outside that (a broken trainer) widens it rather than hide them.
        if (percent && points.All(p => p.Y is >= 0 and <= 1))
        {
            (yLow, yHigh, yTicks) = (0, 1, [0, 0.25, 0.5, 0.75, 1]);
        }
        else
        {
            yLow = points.Min(p => double.IsNaN(p.Sd) ? p.Y : p.Y - p.Sd);
            yHigh = points.Max(p => double.IsNaN(p.Sd) ? p.Y : p.Y + p.Sd);
            if (percent) (yLow, yHigh) = (Math.Min(yLow, 0), Math.Max(yHigh, 1));
            if (yHigh - yLow < 1e-9) (yLow, yHigh) = (yLow - 0.5, yHigh + 0.5);
            yTicks = Svg.Ticks(yLow, yHigh);
            (yLow, yHigh) = (Math.Min(yLow, yTicks[0]), Math.Max(yHigh, yTicks[^1]));
        }
        var yStep = yTicks.Count > 1 ? yTicks[1] - yTicks[0] : 1;
        var yLabels = yTicks.Select(t => percent ? Svg.TickLabel(t * 100, yStep * 100) + "%" : Svg.TickLabel(t, yStep)).ToList();

        var (xLow, xHigh) = (points[0].X, points[^1].X);
        if (xHigh <= xLow) (xLow, xHigh) = (xLow - 1, xHigh + 1);
        // The rotated axis title's glyphs span about x0 + 5 … x0 + 17; the tick labels start 4 px right of that.
        var left = x0 + 21 + yLabels.Max(l => Svg.TextWidth(l, TickFont)) + 6;
        var (xTicks, xLabels) = XTicks(xLow, xHigh, width - (left - x0) - 16);
        var right = Math.Max(16, xLabels.Select(l => Svg.TextWidth(l, TickFont) / 2 + 4).DefaultIfEmpty(0).Max());
        var plotRight = x0 + width - right;
        var plotBottom = Height - Bottom;
        double Px(double x) => left + (x - xLow) / (xHigh - xLow) * (plotRight - left);
        double Py(double y) => plotBottom - (y - yLow) / (yHigh - yLow) * (plotBottom - Top);

        sb.Append($"<g class=\"panel {name}-panel\">");
        for (var i = 0; i < yTicks.Count; i++)
        {
            var y = Py(yTicks[i]);
            sb.Append($"<line x1=\"{Svg.N(left)}\" y1=\"{Svg.N(y)}\" x2=\"{Svg.N(plotRight)}\" y2=\"{Svg.N(y)}\" stroke=\"#e3e3e3\"/>");
            sb.Append(Svg.Text(left - 6, y + 4, yLabels[i], TickFont, "#555", "end"));
        }
        // Tick labels hang 20 px under the plot so the lowest y label (baseline 4 px under the axis) cannot touch them.
        for (var i = 0; i < xTicks.Count; i++)
            sb.Append(Svg.Text(Px(xTicks[i]), plotBottom + 20, xLabels[i], TickFont, "#555", "middle"));
        sb.Append(Svg.Text((left + plotRight) / 2, Height - 6, "GRPO update", TitleFont, "#222", "middle"));
        sb.Append(Svg.Text(-(Top + (plotBottom - Top) / 2), x0 + 14, yTitle, TitleFont, "#222", "middle", "transform=\"rotate(-90)\""));

        var band = points.Where(p => !double.IsNaN(p.Sd)).ToList();
        if (band.Count > 1)
        {
            var upper = band.Select(p => $"{Svg.N(Px(p.X))},{Svg.N(Py(p.Y + p.Sd))}");
            var lower = band.AsEnumerable().Reverse().Select(p => $"{Svg.N(Px(p.X))},{Svg.N(Py(p.Y - p.Sd))}");
            sb.Append($"<polygon class=\"{name}-band\" points=\"{string.Join(' ', upper.Concat(lower))}\" fill=\"{color}\" fill-opacity=\"0.18\"/>");
        }
        sb.Append($"<polyline class=\"{name}-line\" points=\"{string.Join(' ', points.Select(p => $"{Svg.N(Px(p.X))},{Svg.N(Py(p.Y))}"))}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>");
        foreach (var p in points.Count <= 60 ? points : [])
        {
            var value = percent ? Numbers.Percent(p.Y) : $"{p.Y:0.###}{(double.IsNaN(p.Sd) ? "" : $" ± {p.Sd:0.###}")}";
            sb.Append($"<circle cx=\"{Svg.N(Px(p.X))}\" cy=\"{Svg.N(Py(p.Y))}\" r=\"2.5\" fill=\"{color}\"><title>{Html.Text($"update {p.X:0}: {yTitle} {value}")}</title></circle>");
        }
        sb.Append("</g>");
    }

    /// <summary>Up to 8 round x ticks inside [low, high], fewer while neighbouring labels would come closer than 12 px.</summary>
    static (IReadOnlyList<double> Ticks, IReadOnlyList<string> Labels) XTicks(double low, double high, double plotWidth)
    {
        for (var count = 8; ; count--)
        {
            var ticks = Svg.Ticks(low, high, count).Where(t => t >= low && t <= high).ToList();
            var step = ticks.Count > 1 ? ticks[1] - ticks[0] : 1;
            var labels = ticks.Select(t => Svg.TickLabel(t, step)).ToList();
            var room = ticks.Count > 1 ? step / (high - low) * plotWidth : double.PositiveInfinity;
            if (count == 1 || labels.All(l => Svg.TextWidth(l, TickFont) + 12 <= room)) return (ticks, labels);
        }
    }
}
