using System.Text;
using Probe.Evaluation.Results;

namespace Probe.Runner.Reports.Html;

/// <summary>
/// Inline SVG of an attack run's train_log.csv: the mean judge reward per GRPO update as a line, ± one standard
/// deviation of the group's rewards as a band — the curve that shows how fast the safety came off.
/// </summary>
public static class RewardChart
{
    const double Width = 820, Height = 240, Left = 56, Right = 16, Top = 14, Bottom = 40;

    /// <summary>Null when the log has no usable reward values.</summary>
    public static string? Render(TrainLog log, string title)
    {
        var updates = log.Series["update"];
        var mean = log.Series["reward_mean"];
        var std = log.Series.TryGetValue("reward_std", out var s) ? s : null;
        var points = Enumerable.Range(0, updates.Length)
            .Where(i => double.IsFinite(updates[i]) && double.IsFinite(mean[i]))
            .Select(i => (X: updates[i], Y: mean[i], Sd: std is not null && double.IsFinite(std[i]) ? std[i] : double.NaN))
            .OrderBy(p => p.X).ToList();
        if (points.Count == 0) return null;

        var yLow = points.Min(p => double.IsNaN(p.Sd) ? p.Y : p.Y - p.Sd);
        var yHigh = points.Max(p => double.IsNaN(p.Sd) ? p.Y : p.Y + p.Sd);
        if (yHigh - yLow < 1e-9) (yLow, yHigh) = (yLow - 0.5, yHigh + 0.5);
        var yTicks = Svg.Ticks(yLow, yHigh);
        (yLow, yHigh) = (Math.Min(yLow, yTicks[0]), Math.Max(yHigh, yTicks[^1]));
        var (xLow, xHigh) = (points[0].X, points[^1].X);
        if (xHigh <= xLow) (xLow, xHigh) = (xLow - 1, xHigh + 1);
        var xTicks = Svg.Ticks(xLow, xHigh, 8).Where(t => t >= xLow && t <= xHigh).ToList();
        double Px(double x) => Left + (x - xLow) / (xHigh - xLow) * (Width - Left - Right);
        double Py(double y) => Height - Bottom - (y - yLow) / (yHigh - yLow) * (Height - Top - Bottom);

        var sb = new StringBuilder();
        sb.Append($"<svg class=\"chart reward-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Svg.N(Width)} {Svg.N(Height)}\" role=\"img\"><title>{Html.Text(title)}</title>");
        var yStep = yTicks.Count > 1 ? yTicks[1] - yTicks[0] : 1;
        foreach (var t in yTicks)
        {
            sb.Append($"<line x1=\"{Svg.N(Left)}\" y1=\"{Svg.N(Py(t))}\" x2=\"{Svg.N(Width - Right)}\" y2=\"{Svg.N(Py(t))}\" stroke=\"#e3e3e3\"/>");
            sb.Append($"<text x=\"{Svg.N(Left - 6)}\" y=\"{Svg.N(Py(t) + 4)}\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{Svg.TickLabel(t, yStep)}</text>");
        }
        var xStep = xTicks.Count > 1 ? xTicks[1] - xTicks[0] : 1;
        foreach (var t in xTicks)
            sb.Append($"<text x=\"{Svg.N(Px(t))}\" y=\"{Svg.N(Height - Bottom + 16)}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{Svg.TickLabel(t, xStep)}</text>");
        sb.Append($"<text x=\"{Svg.N(Left + (Width - Left - Right) / 2)}\" y=\"{Svg.N(Height - 6)}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#222\">GRPO update</text>");
        sb.Append($"<text transform=\"rotate(-90)\" x=\"{Svg.N(-(Top + (Height - Top - Bottom) / 2))}\" y=\"14\" text-anchor=\"middle\" font-size=\"12\" fill=\"#222\">mean reward</text>");

        var band = points.Where(p => !double.IsNaN(p.Sd)).ToList();
        if (band.Count > 1)
        {
            var upper = band.Select(p => $"{Svg.N(Px(p.X))},{Svg.N(Py(p.Y + p.Sd))}");
            var lower = band.AsEnumerable().Reverse().Select(p => $"{Svg.N(Px(p.X))},{Svg.N(Py(p.Y - p.Sd))}");
            sb.Append($"<polygon class=\"reward-band\" points=\"{string.Join(' ', upper.Concat(lower))}\" fill=\"#e15759\" fill-opacity=\"0.18\"/>");
        }
        sb.Append($"<polyline class=\"reward-line\" points=\"{string.Join(' ', points.Select(p => $"{Svg.N(Px(p.X))},{Svg.N(Py(p.Y))}"))}\" fill=\"none\" stroke=\"#e15759\" stroke-width=\"2\"/>");
        foreach (var p in points.Count <= 60 ? points : [])
            sb.Append($"<circle cx=\"{Svg.N(Px(p.X))}\" cy=\"{Svg.N(Py(p.Y))}\" r=\"2.5\" fill=\"#e15759\"><title>{Html.Text($"update {p.X:0}: reward {p.Y:0.###}{(double.IsNaN(p.Sd) ? "" : $" ± {p.Sd:0.###}")}")}</title></circle>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}
