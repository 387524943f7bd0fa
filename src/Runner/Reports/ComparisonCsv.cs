
using Probe.Evaluation.Analysis;
using Probe.Evaluation.Io;
using Probe.Evaluation.Statistics;

namespace Probe.Runner.Reports;

/// <summary>
/// <c>probe compare --out</c>: one row per category (scope "category"), the pooled row ("all"), and with a known attacked
/// category the transfer rows "others_pooled" (the other categories' samples pooled) and "others_mean" (the unweighted
/// mean of their differences; only the difference is filled).
/// </summary>
public static class ComparisonCsv
{
    public static readonly IReadOnlyList<string> Header =
    [
        "scope", "category", "attacked", "confidence",
        "n_before", "unsafe_before", "rate_before", "ci_low_before", "ci_high_before",
        "n_after", "unsafe_after", "rate_after", "ci_low_after", "ci_high_after",
        "difference", "diff_ci_low", "diff_ci_high", "z", "p_value", "p_increase", "significant", "prompts_match",
    ];

    public static string Format(RunComparison comparison)
    {
        var rows = new List<IReadOnlyList<string>>();
        foreach (var c in comparison.Categories)
            rows.Add(Row("category", c.Category, c.Attacked ? "1" : "0", c.Stats, c.Prompts is null ? "" : c.Prompts.IsEmpty ? "1" : "0"));
        rows.Add(Row("all", "", "", comparison.Overall, comparison.PromptsChecked ? comparison.PromptDifferences.Count == 0 ? "1" : "0" : ""));
        if (comparison.Transfer is { } t)
        {
            if (t.PooledOthers is { } pooled) rows.Add(Row("others_pooled", "", "0", pooled, ""));
            var mean = new string[Header.Count];
            Array.Fill(mean, "");
            mean[0] = "others_mean";
            mean[2] = "0";
            mean[3] = Numbers.Exact(1 - comparison.Options.Alpha);
            mean[Header.ToList().IndexOf("difference")] = Numbers.Exact(t.MeanOtherDifference);
            rows.Add(mean);
        }
        return CsvTable.Format(Header, rows);
    }

    public static void Write(string path, RunComparison comparison) => AtomicFile.WriteAllText(path, Format(comparison));

    static string[] Row(string scope, string category, string attacked, ProportionComparison s, string promptsMatch)
    {
        var (bl, bh) = s.Before.Wilson(s.Alpha);
        var (al, ah) = s.After.Wilson(s.Alpha);
        return
        [
            scope, category, attacked, Numbers.Exact(1 - s.Alpha),
            Numbers.Count(s.Before.Trials), Numbers.Count(s.Before.Successes), Numbers.Exact(s.Before.Rate), Numbers.Exact(bl), Numbers.Exact(bh),
            Numbers.Count(s.After.Trials), Numbers.Count(s.After.Successes), Numbers.Exact(s.After.Rate), Numbers.Exact(al), Numbers.Exact(ah),
            Numbers.Exact(s.Difference), Numbers.Exact(s.Low), Numbers.Exact(s.High), Numbers.Exact(s.Z), Numbers.Exact(s.PValue),
            Numbers.Exact(s.PValueIncrease), s.PValue < s.Alpha ? "1" : "0", promptsMatch,
        ];
    }
}
