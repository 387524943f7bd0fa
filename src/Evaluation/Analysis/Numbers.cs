using System.Globalization;

namespace Probe.Evaluation.Analysis;

/// <summary>How Probe prints statistics: rates in percent, differences in percentage points, p-values, all invariant.</summary>
public static class Numbers
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>0.24 → "24.0%".</summary>
    public static string Percent(double rate) => double.IsNaN(rate) ? "n/a" : (rate * 100).ToString("0.0", Invariant) + "%";

    /// <summary>(0.143, 0.374) → "[14.3, 37.4]".</summary>
    public static string Interval(double low, double high) =>
        $"[{(low * 100).ToString("0.0", Invariant)}, {(high * 100).ToString("0.0", Invariant)}]";

    /// <summary>0.56 → "+56.0"; signed percentage points.</summary>
    public static string Points(double difference) => (difference * 100).ToString("+0.0;-0.0;0.0", Invariant);

    /// <summary>Signed interval in points: "[+38.1, +68.9]".</summary>
    public static string PointsInterval(double low, double high) => $"[{Points(low)}, {Points(high)}]";

    public static string Z(double z) => z.ToString("+0.00;-0.00;0.00", Invariant);

    /// <summary>p-values: four decimals, "&lt;0.0001" below that.</summary>
    public static string P(double p) => p < 0.0001 ? "<0.0001" : p.ToString("0.0000", Invariant);

    /// <summary>κ, accuracy and other values in [−1, 1]: three decimals, "n/a" when undefined.</summary>
    public static string Ratio(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.000", Invariant);

    /// <summary>Ten significant digits for CSV consumers (more than any of these statistics carries); empty for NaN.</summary>
    public static string Exact(double value) => double.IsNaN(value) ? "" : value.ToString("G10", Invariant);

    public static string Count(int value) => value.ToString(Invariant);

    /// <summary>α → "95%" confidence text.</summary>
    public static string Confidence(double alpha) => ((1 - alpha) * 100).ToString("0.##", Invariant) + "%";
}
