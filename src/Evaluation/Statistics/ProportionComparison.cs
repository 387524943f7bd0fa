namespace Probe.Evaluation.Statistics;

/// <summary>
/// Before/after comparison of two independent proportions: the difference (after − before) with Newcombe's hybrid
/// score interval at confidence 1 − <see cref="Alpha"/> (method 10 of Newcombe 1998, built from the two Wilson
/// intervals; good coverage at small n and extreme rates), and the pooled two-proportion z-test.
/// </summary>
public sealed record ProportionComparison(Proportion Before, Proportion After, double Difference, double Low, double High, double Z, double PValue)
{
    /// <summary>The α the interval was computed at: [<see cref="Low"/>, <see cref="High"/>] is a 1 − α interval.</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>
    /// One-sided p-value of the z-test against "after is not higher than before" (H₁: after &gt; before). Release
    /// questions are one-sided: a drop in the unsafe rate is never a reason to stop a release.
    /// </summary>
    public double PValueIncrease => Normal.Cdf(-Z);

    public static ProportionComparison Of(Proportion before, Proportion after, double alpha = 0.05)
    {
        if (before.Trials == 0 || after.Trials == 0)
            throw new ArgumentException("a proportion with no trials cannot be compared");
        if (alpha is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(alpha), "alpha must be in (0, 1)");
        var (p1, p2) = (before.Rate, after.Rate);
        var (l1, u1) = before.Wilson(alpha);
        var (l2, u2) = after.Wilson(alpha);
        var d = p2 - p1;
        var low = d - Math.Sqrt((p2 - l2) * (p2 - l2) + (u1 - p1) * (u1 - p1));
        var high = d + Math.Sqrt((u2 - p2) * (u2 - p2) + (p1 - l1) * (p1 - l1));

        var pooled = (double)(before.Successes + after.Successes) / (before.Trials + after.Trials);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / before.Trials + 1.0 / after.Trials));
        double z, pValue;
        if (se == 0 || double.IsNaN(se))
        {
            z = 0;
            pValue = 1;   // identical all-0 or all-1 samples: no evidence of a difference
        }
        else
        {
            z = d / se;
            pValue = 2 * Normal.Cdf(-Math.Abs(z));
        }
        return new ProportionComparison(before, after, d, Math.Max(-1, low), Math.Min(1, high), z, pValue) { Alpha = alpha };
    }
}
