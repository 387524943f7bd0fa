using System.Globalization;

namespace Probe.Runner.Reports.Html;

/// <summary>Small helpers for the hand-written inline SVG charts: coordinates, run colours, axis ticks, text extents.</summary>
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
        var raw = (high - low) / Math.Max(count, 1);
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

    /// <summary>
    /// Upper estimate of a label's advance width in px. The browser lays the text out with whatever sans-serif it has,
    /// so the charts reserve room by the widest common one: DejaVu Sans (Debian's default, wider than Liberation Sans,
    /// Arial, Helvetica and Segoe UI), per character class, and a full em for anything outside ASCII (CJK is square).
    /// </summary>
    public static double TextWidth(string text, double fontSize)
    {
        var em = 0.0;
        foreach (var c in text)
            em += c switch
            {
                'i' or 'j' or 'l' or '\'' or '|' or '.' or ',' or ':' or ';' or ' ' => 0.34,
                'f' or 't' or 'r' or '(' or ')' or '[' or ']' or '/' or '\\' or '-' or '!' => 0.43,
                'm' or 'w' or '%' or '@' or 'M' or 'W' => 1.0,
                '+' or '=' or '<' or '>' or '~' or '^' or '#' => 0.86,
                >= 'A' and <= 'Z' or '_' or '&' => 0.8,
                < (char)0x80 => 0.65,
                _ => 1.0,
            };
        return em * fontSize;
    }

    /// <summary>
    /// The text, cut with an ellipsis to fit <paramref name="maxWidth"/> px at <paramref name="fontSize"/> (by
    /// <see cref="TextWidth"/>); the full text goes into the element's &lt;title&gt;.
    /// </summary>
    public static string Fit(string text, double fontSize, double maxWidth)
    {
        if (TextWidth(text, fontSize) <= maxWidth) return text;
        var length = text.Length;
        while (length > 0 && TextWidth(text[..length] + "…", fontSize) > maxWidth) length--;
        if (length > 0 && char.IsHighSurrogate(text[length - 1])) length--;   // never split a surrogate pair
        return text[..length] + "…";
    }

    /// <summary>A text element; <paramref name="anchor"/> is start, middle or end.</summary>
    public static string Text(double x, double y, string text, double fontSize, string fill, string anchor = "start", string? attributes = null) =>
        $"<text x=\"{N(x)}\" y=\"{N(y)}\"{(anchor == "start" ? "" : $" text-anchor=\"{anchor}\"")} font-size=\"{N(fontSize)}\" fill=\"{fill}\"{(attributes is null ? "" : " " + attributes)}>{Html.Text(text)}</text>";
}
