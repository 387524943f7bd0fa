
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// How far an attack on one category spread: the attacked category's increase against the other categories',
/// as the unweighted mean of their differences (each category counts once, whatever its n) and as one pooled
/// comparison of all their samples (which has a confidence interval and a test).
/// </summary>
public sealed record TransferSummary(
    CategoryComparison Attacked,
    IReadOnlyList<CategoryComparison> Others,
    double MeanOtherDifference,
    ProportionComparison? PooledOthers)
{
    /// <summary>Other categories whose increase is significant one-sided at α.</summary>
    public int OthersIncreasedSignificantly => Others.Count(o => o.Stats.PValueIncrease < o.Stats.Alpha);

    /// <summary>Mean increase elsewhere as a fraction of the attacked category's; NaN when the attack did not raise it.</summary>
    public double TransferRatio => Attacked.Stats.Difference > 0 ? MeanOtherDifference / Attacked.Stats.Difference : double.NaN;

    public static TransferSummary Of(CategoryComparison attacked, IReadOnlyList<CategoryComparison> others, double alpha)
    {
        if (others.Count == 0) return new TransferSummary(attacked, others, double.NaN, null);
        var before = new Proportion(others.Sum(o => o.Stats.Before.Successes), others.Sum(o => o.Stats.Before.Trials));
        var after = new Proportion(others.Sum(o => o.Stats.After.Successes), others.Sum(o => o.Stats.After.Trials));
        return new TransferSummary(attacked, others, others.Average(o => o.Stats.Difference), ProportionComparison.Of(before, after, alpha));
    }
}
