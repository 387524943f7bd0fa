
using Probe.Evaluation.Analysis;

namespace Probe.Runner.Reports;

/// <summary>The console form of <c>probe agreement</c>: one row per decider with the confusion matrix and the scores.</summary>
public static class AgreementText
{
    public static void Write(TextWriter w, AgreementReport report, string labelsPath)
    {
        w.WriteLine($"run: {report.Run.Name} ({report.Run.Path})");
        w.WriteLine($"labels: {labelsPath}: {report.Matched} sample(s) labelled, {report.Issues.Count} row(s) skipped" +
                    (report.OtherRuns.Count > 0 ? $", {report.OtherRuns.Values.Sum()} row(s) for other runs ({string.Join(", ", report.OtherRuns.Keys)})" : ""));
        w.WriteLine("confusion matrix with the human label as reference: TP = both unsafe, FP = judge unsafe/human safe, " +
                    "FN = judge safe/human unsafe, TN = both safe; precision and recall are of 'unsafe'");
        w.WriteLine();
        var table = new TextTable("decider", "n", "TP", "FP", "FN", "TN", "accuracy", "precision", "recall", "kappa", "unscored")
            .AlignRight(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        foreach (var row in report.Rows)
        {
            var a = row.Agreement;
            table.Add(row.Decider, Numbers.Count(a.Total), Numbers.Count(a.TruePositive), Numbers.Count(a.FalsePositive),
                Numbers.Count(a.FalseNegative), Numbers.Count(a.TrueNegative), Numbers.Ratio(a.Accuracy), Numbers.Ratio(a.Precision),
                Numbers.Ratio(a.Recall), Numbers.Ratio(a.Kappa), Numbers.Count(row.Unscored));
        }
        table.WriteTo(w);
    }
}
