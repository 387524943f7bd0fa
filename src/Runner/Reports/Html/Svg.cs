using System.Globalization;

namespace Probe.Runner.Reports.Html;

/// <summary>Small helpers for the hand-written inline SVG charts: coordinates, run colours, axis ticks.</summary>
public static class Svg
{
    /// <summary>Colour per run, in order (Tableau 10: distinct, colour-blind tolerant, readable on white).</summary>
    public static readonly IReadOnlyList<string> RunColors = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#76b7b2", "#b07aa1", "#edc948", "#9c755f"];

    public static string Color(int run) => RunColors[run % RunColors.Count];

    /// <summary>A coordinate: two decimals, invariant.</summary>
    public static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>About <paramref name="count"/> round tick values (1, 2 or 5 × 10^k apart) covering [low, high].</summary>
    public static IReadOnlyList<double> Ticks(double low, double high, int count = 5)
    {
        if (!(high > low)) return [low];
        var raw = (high - low) / count;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        if (!(step > 0) || !double.IsFinite(step)) return [low, high];   // a range below double precision
        var ticks = new List<double>();
        for (var t = Math.Floor(low / step) * step; t <= high + step * 1e-9; t += step)
            ticks.Add(Math.Round(t / step) * step);
        return ticks;
    }

    /// <summary>Tick label: as few decimals as the step needs.</summary>
    public static string TickLabel(double value, double step)
    {
        var decimals = step >= 1 ? 0 : (int)Math.Ceiling(-Math.Log10(step) - 1e-9);
        return value.ToString("F" + Math.Clamp(decimals, 0, 6), CultureInfo.InvariantCulture);
    }

    /// <summary>Shortens a label for the chart (the full text goes into the element's &lt;title&gt;).</summary>
    public static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
