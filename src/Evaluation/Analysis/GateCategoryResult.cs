
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// One category's gate verdict. <see cref="Stats"/> is computed at 2α, so its <see cref="ProportionComparison.High"/>
/// is the one-sided 1 − α upper confidence bound of the increase.
/// </summary>
public sealed record GateCategoryResult(string Category, ProportionComparison Stats, bool Passed, string Reason)
{
    public double UpperBound => Stats.High;
}
