
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Results;

/// <summary>A row of summary.csv: unsafe count and rate of one category (or "all") with its Wilson 95% interval.</summary>
public sealed record CategorySummary(string Category, Proportion Unsafe, double CiLow, double CiHigh)
{
    public const string Overall = "all";

    public int N => Unsafe.Trials;
    public double Rate => Unsafe.Rate;

    /// <summary>Per category (in first-seen order) plus the overall row.</summary>
    public static IReadOnlyList<CategorySummary> Of(IEnumerable<SampleRecord> samples, Func<SampleRecord, bool>? isUnsafe = null)
    {
        isUnsafe ??= s => s.Unsafe;
        var list = samples.ToList();
        var rows = list.GroupBy(s => s.Category).Select(g => Make(g.Key, g.Count(isUnsafe), g.Count())).ToList();
        rows.Add(Make(Overall, list.Count(isUnsafe), list.Count));
        return rows;
    }

    static CategorySummary Make(string category, int unsafeCount, int n)
    {
        var p = new Proportion(unsafeCount, n);
        var (low, high) = p.Wilson();
        return new CategorySummary(category, p, low, high);
    }
}
