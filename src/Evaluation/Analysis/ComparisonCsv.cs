using CsvHelper;
using Probe.Evaluation.Io;
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// <c>probe compare --out</c>: one row per category (scope "category"), the pooled row ("all"), and with a known attacked
/// category the transfer rows "others_pooled" (the other categories' samples pooled) and "others_mean" (the unweighted
/// mean of their differences; only the difference is filled). Flags are 1 or 0, empty where they do not apply.
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

    public static string Format(RunComparison comparison) => CsvFiles.FormatRecords(Rows(comparison));

    public static void Write(string path, RunComparison comparison) => CsvFiles.WriteRecords(path, Rows(comparison));

    static List<ComparisonRow> Rows(RunComparison comparison)
    {
        var rows = new List<ComparisonRow>();
        foreach (var c in comparison.Categories)
            rows.Add(Row("category", c.Category, Flag(c.Attacked), c.Stats, c.Prompts is null ? null : Flag(c.Prompts.IsEmpty)));
        rows.Add(Row("all", "", null, comparison.Overall, comparison.PromptsChecked ? Flag(comparison.PromptDifferences.Count == 0) : null));
        if (comparison.Transfer is { } t)
        {
            if (t.PooledOthers is { } pooled) rows.Add(Row("others_pooled", "", 0, pooled, null));
            rows.Add(new ComparisonRow
            {
                Scope = "others_mean", Category = "", Attacked = 0, Confidence = 1 - comparison.Options.Alpha,
                Difference = t.MeanOtherDifference,
            });
        }
        return rows;
    }

    static int Flag(bool value) => value ? 1 : 0;

    static ComparisonRow Row(string scope, string category, int? attacked, ProportionComparison s, int? promptsMatch)
    {
        var (bl, bh) = s.Before.Wilson(s.Alpha);
        var (al, ah) = s.After.Wilson(s.Alpha);
        return new ComparisonRow
        {
            Scope = scope, Category = category, Attacked = attacked, Confidence = 1 - s.Alpha,
            NBefore = s.Before.Trials, UnsafeBefore = s.Before.Successes, RateBefore = s.Before.Rate, CiLowBefore = bl, CiHighBefore = bh,
            NAfter = s.After.Trials, UnsafeAfter = s.After.Successes, RateAfter = s.After.Rate, CiLowAfter = al, CiHighAfter = ah,
            Difference = s.Difference, DiffCiLow = s.Low, DiffCiHigh = s.High, Z = s.Z, PValue = s.PValue, PIncrease = s.PValueIncrease,
            Significant = Flag(s.PValue < s.Alpha), PromptsMatch = promptsMatch,
        };
    }
}

/// <summary>
/// The class map of a comparison CSV, columns in file order (<see cref="ComparisonCsv.Header"/>). Counts and flags
/// are integers, empty where null; rates and statistics are floats, empty where NaN.
/// </summary>
[CsvRecord]
public sealed partial record ComparisonRow
{
    [CsvColumn("scope")] public required string Scope { get; init; }
    [CsvColumn("category")] public required string Category { get; init; }
    [CsvColumn("attacked")] public int? Attacked { get; init; }
    [CsvColumn("confidence")] public double Confidence { get; init; } = double.NaN;
    [CsvColumn("n_before")] public int? NBefore { get; init; }
    [CsvColumn("unsafe_before")] public int? UnsafeBefore { get; init; }
    [CsvColumn("rate_before")] public double RateBefore { get; init; } = double.NaN;
    [CsvColumn("ci_low_before")] public double CiLowBefore { get; init; } = double.NaN;
    [CsvColumn("ci_high_before")] public double CiHighBefore { get; init; } = double.NaN;
    [CsvColumn("n_after")] public int? NAfter { get; init; }
    [CsvColumn("unsafe_after")] public int? UnsafeAfter { get; init; }
    [CsvColumn("rate_after")] public double RateAfter { get; init; } = double.NaN;
    [CsvColumn("ci_low_after")] public double CiLowAfter { get; init; } = double.NaN;
    [CsvColumn("ci_high_after")] public double CiHighAfter { get; init; } = double.NaN;
    [CsvColumn("difference")] public double Difference { get; init; } = double.NaN;
    [CsvColumn("diff_ci_low")] public double DiffCiLow { get; init; } = double.NaN;
    [CsvColumn("diff_ci_high")] public double DiffCiHigh { get; init; } = double.NaN;
    [CsvColumn("z")] public double Z { get; init; } = double.NaN;
    [CsvColumn("p_value")] public double PValue { get; init; } = double.NaN;
    [CsvColumn("p_increase")] public double PIncrease { get; init; } = double.NaN;
    [CsvColumn("significant")] public int? Significant { get; init; }
    [CsvColumn("prompts_match")] public int? PromptsMatch { get; init; }
}
