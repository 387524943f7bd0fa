namespace Probe.Evaluation.Statistics;

/// <summary>A count of successes in n trials with its Wilson score interval.</summary>
public readonly record struct Proportion(int Successes, int Trials)
{
    public double Rate => Trials == 0 ? double.NaN : (double)Successes / Trials;

    /// <summary>
    /// Wilson score interval at confidence 1 − α (Wilson 1927): unlike the normal (Wald) interval it stays inside
    /// [0, 1] and keeps its coverage for rates near 0 or 1 and small n, which is where safety evaluations live.
    /// </summary>
    public (double Low, double High) Wilson(double alpha = 0.05)
    {
        if (Trials == 0) return (0, 1);
        var z = Normal.Quantile(1 - alpha / 2);
        double n = Trials, p = Rate, z2 = z * z;
        var center = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        // Exact ends at 0 and n successes: the formula gives them up to rounding.
        return (Successes == 0 ? 0 : Math.Max(0, center - half), Successes == Trials ? 1 : Math.Min(1, center + half));
    }
}
