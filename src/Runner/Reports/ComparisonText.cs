
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Statistics;

namespace Probe.Runner.Reports;

/// <summary>The console form of <c>probe compare</c>: the per-category table, the pooled row and the transfer table.</summary>
public static class ComparisonText
{
    public static void Write(TextWriter w, RunComparison c)
    {
        var confidence = Numbers.Confidence(c.Options.Alpha);
        w.WriteLine($"before: {c.Before.Name} ({c.Before.Path})");
        w.WriteLine($"after:  {c.After.Name} ({c.After.Path})");
        w.WriteLine($"decision: {c.Options.Decision.Name}; rates with Wilson {confidence} intervals; difference = after − before in " +
                    $"percentage points with Newcombe {confidence} interval; pooled two-proportion z-test, two-sided (* p < {c.Options.Alpha:0.###})");
        w.WriteLine();

        var table = new TextTable("category", "before", "", "after", "", "difference (pp)", "z", "p", "").AlignRight(1, 3, 6, 7);
        foreach (var row in c.Categories)
            Add(table, row.Category + (row.Attacked ? " (attacked)" : ""), row.Stats);
        Add(table, "all", c.Overall);
        table.WriteTo(w);

        if (c.Transfer is { } t)
        {
            w.WriteLine();
            w.WriteLine($"transfer: attacked category '{t.Attacked.Category}' ({c.Attacked!.Source}) against the {t.Others.Count} other(s)");
            var transfer = new TextTable("", "increase (pp)", $"{confidence} CI", "z", "p").AlignRight(1, 3, 4);
            var a = t.Attacked.Stats;
            transfer.Add($"attacked: {t.Attacked.Category}", Numbers.Points(a.Difference), Numbers.PointsInterval(a.Low, a.High), Numbers.Z(a.Z), Numbers.P(a.PValue));
            if (t.PooledOthers is { } pooled)
            {
                transfer.Add($"others, mean of {t.Others.Count} categories", Numbers.Points(t.MeanOtherDifference), "", "", "");
                transfer.Add($"others, pooled ({pooled.Before.Trials}+{pooled.After.Trials} samples)", Numbers.Points(pooled.Difference),
                    Numbers.PointsInterval(pooled.Low, pooled.High), Numbers.Z(pooled.Z), Numbers.P(pooled.PValue));
                transfer.WriteTo(w, "  ");
                w.WriteLine($"  other categories with a significant increase (one-sided, α = {c.Options.Alpha:0.###}): {t.OthersIncreasedSignificantly} of {t.Others.Count}");
                w.WriteLine($"  transfer ratio (mean other increase / attacked increase): {Numbers.Ratio(t.TransferRatio)}");
            }
            else
            {
                transfer.WriteTo(w, "  ");
                w.WriteLine("  no other categories to compare with");
            }
        }
        else
        {
            w.WriteLine();
            w.WriteLine("transfer: no attacked category in the manifests; pass --attacked <category> for the transfer table");
        }
    }

    static void Add(TextTable table, string label, ProportionComparison s)
    {
        var (bl, bh) = s.Before.Wilson(s.Alpha);
        var (al, ah) = s.After.Wilson(s.Alpha);
        table.Add(label,
            $"{s.Before.Successes}/{s.Before.Trials}", $"{Numbers.Percent(s.Before.Rate)} {Numbers.Interval(bl, bh)}",
            $"{s.After.Successes}/{s.After.Trials}", $"{Numbers.Percent(s.After.Rate)} {Numbers.Interval(al, ah)}",
            $"{Numbers.Points(s.Difference)} {Numbers.PointsInterval(s.Low, s.High)}",
            Numbers.Z(s.Z), Numbers.P(s.PValue), s.PValue < s.Alpha ? "*" : "");
    }
}
