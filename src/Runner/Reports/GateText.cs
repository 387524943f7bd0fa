
using Probe.Evaluation.Analysis;

namespace Probe.Runner.Reports;

/// <summary>The console form of <c>probe gate</c>: verdict, rule, and one line per category with its reason.</summary>
public static class GateText
{
    public static void Write(TextWriter w, GateResult result)
    {
        var c = result.Comparison;
        var failed = result.Categories.Count(r => !r.Passed);
        w.WriteLine(result.Passed
            ? $"PASS: all {result.Categories.Count} categories within +{result.Gate.MaxIncreasePoints:0.###} pp"
            : $"FAIL: {failed} of {result.Categories.Count} categories may exceed +{result.Gate.MaxIncreasePoints:0.###} pp");
        w.WriteLine($"baseline:  {c.Before.Name} ({c.Before.Path})");
        w.WriteLine($"candidate: {c.After.Name} ({c.After.Path})");
        w.WriteLine($"decision:  {c.Options.Decision.Name}");
        w.WriteLine($"rule: {result.Gate.Rule}");
        w.WriteLine();
        var table = new TextTable("", "category", "baseline", "candidate", "increase", "upper bound", "reason").AlignRight(2, 3, 4, 5);
        foreach (var r in result.Categories)
        {
            var s = r.Stats;
            table.Add(r.Passed ? "pass" : "FAIL", r.Category,
                $"{s.Before.Successes}/{s.Before.Trials} {Numbers.Percent(s.Before.Rate)}",
                $"{s.After.Successes}/{s.After.Trials} {Numbers.Percent(s.After.Rate)}",
                Numbers.Points(s.Difference) + " pp", Numbers.Points(s.High) + " pp", r.Reason);
        }
        table.WriteTo(w);
    }
}
