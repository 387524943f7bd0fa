
using Probe.Evaluation.Results;
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// Two runs compared category by category (before = the reference, e.g. the aligned model; after = e.g. the attacked
/// one): rates with Wilson intervals, differences with Newcombe intervals, z-tests, the overall row, the transfer
/// table when the attacked category is known, and the prompt-set differences a reader must know about.
/// </summary>
public sealed class RunComparison
{
    RunComparison(RunFolder before, RunFolder after, ComparisonOptions options, IReadOnlyList<CategoryComparison> categories,
        ProportionComparison overall, AttackedCategory? attacked, TransferSummary? transfer,
        IReadOnlyList<PromptSetDifference> promptDifferences, IReadOnlyList<string> warnings)
    {
        Before = before;
        After = after;
        Options = options;
        Categories = categories;
        Overall = overall;
        Attacked = attacked;
        Transfer = transfer;
        PromptDifferences = promptDifferences;
        Warnings = warnings;
    }

    public RunFolder Before { get; }
    public RunFolder After { get; }
    public ComparisonOptions Options { get; }
    public IReadOnlyList<CategoryComparison> Categories { get; }
    /// <summary>All compared categories pooled.</summary>
    public ProportionComparison Overall { get; }
    public AttackedCategory? Attacked { get; }
    public TransferSummary? Transfer { get; }
    /// <summary>Categories whose prompt/seed sets differ between the runs (empty when they match or cannot be checked).</summary>
    public IReadOnlyList<PromptSetDifference> PromptDifferences { get; }
    /// <summary>Everything a reader should know that is not an error (prompt sets, unscored samples, attack source).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>False when either run has no samples.csv, so the prompt sets could not be compared.</summary>
    public bool PromptsChecked => Before.Samples.Count > 0 && After.Samples.Count > 0;

    public static RunComparison Of(RunFolder before, RunFolder after, ComparisonOptions options)
    {
        if (options.Alpha is <= 0 or >= 1) throw new EvaluationException($"--alpha {options.Alpha} must be between 0 and 1");
        var warnings = new List<string>();
        var countsBefore = CategoryCounts.Of(before, options.Decision);
        var countsAfter = CategoryCounts.Of(after, options.Decision);
        foreach (var (run, counts) in new[] { (before, countsBefore), (after, countsAfter) })
            if (counts.Unscored > 0)
                warnings.Add($"{run.Name}: judge '{options.Decision.Name}' did not score {counts.Unscored} sample(s); they are left out");

        var categories = SelectCategories(before, after, countsBefore, countsAfter, options.Categories);
        var attacked = AttackedCategory.Resolve(options.Attacked, before, after, warnings);
        if (attacked is not null && !categories.Contains(attacked.Category))
        {
            if (attacked.Source == "--attacked")
                throw new EvaluationException($"--attacked '{attacked.Category}' is not among the compared categories ({string.Join(", ", categories)})");
            warnings.Add($"attacked category '{attacked.Category}' ({attacked.Source}) is not among the compared categories; no transfer table");
            attacked = null;
        }

        var promptDifferences = new List<PromptSetDifference>();
        var rows = new List<CategoryComparison>();
        foreach (var category in categories)
        {
            var b = countsBefore[category]!.Value;
            var a = countsAfter[category]!.Value;
            foreach (var (run, p) in new[] { (before, b), (after, a) })
                if (p.Trials == 0) throw new EvaluationException($"{run.Path}: category '{category}' has no scored samples");
            PromptSetDifference? prompts = null;
            if (before.Samples.Count > 0 && after.Samples.Count > 0)
            {
                prompts = PromptSetDifference.Of(category, before.Samples, after.Samples);
                if (!prompts.IsEmpty)
                {
                    promptDifferences.Add(prompts);
                    warnings.Add("prompt sets differ: " + prompts.Describe());
                }
            }
            rows.Add(new CategoryComparison(category, ProportionComparison.Of(b, a, options.Alpha), category == attacked?.Category, prompts));
        }
        if (!(before.Samples.Count > 0 && after.Samples.Count > 0))
            warnings.Add($"prompt sets not checked: {(before.Samples.Count == 0 ? before.Name : after.Name)} has no {SamplesCsv.FileName}");

        var overall = ProportionComparison.Of(
            new Proportion(rows.Sum(r => r.Stats.Before.Successes), rows.Sum(r => r.Stats.Before.Trials)),
            new Proportion(rows.Sum(r => r.Stats.After.Successes), rows.Sum(r => r.Stats.After.Trials)), options.Alpha);
        var transfer = attacked is null ? null
            : TransferSummary.Of(rows.Single(r => r.Attacked), rows.Where(r => !r.Attacked).ToList(), options.Alpha);
        return new RunComparison(before, after, options, rows, overall, attacked, transfer, promptDifferences, warnings);
    }

    static List<string> SelectCategories(RunFolder before, RunFolder after, CategoryCounts countsBefore, CategoryCounts countsAfter, IReadOnlyList<string>? selected)
    {
        var inBefore = countsBefore.Rows.Select(r => r.Category).ToList();
        var inAfter = countsAfter.Rows.Select(r => r.Category).ToList();
        if (selected is { Count: > 0 })
        {
            foreach (var category in selected)
                foreach (var (run, list) in new[] { (before, inBefore), (after, inAfter) })
                    if (!list.Contains(category))
                        throw new EvaluationException($"{run.Path}: no category '{category}' (categories: {string.Join(", ", list)})");
            return selected.Distinct(StringComparer.Ordinal).ToList();
        }
        var onlyBefore = inBefore.Except(inAfter, StringComparer.Ordinal).ToList();
        var onlyAfter = inAfter.Except(inBefore, StringComparer.Ordinal).ToList();
        if (onlyBefore.Count > 0 || onlyAfter.Count > 0)
        {
            var parts = new List<string>();
            if (onlyBefore.Count > 0) parts.Add($"only in {before.Name}: {string.Join(", ", onlyBefore)}");
            if (onlyAfter.Count > 0) parts.Add($"only in {after.Name}: {string.Join(", ", onlyAfter)}");
            throw new EvaluationException($"the runs must have the same categories ({string.Join("; ", parts)}); use --categories to compare the shared ones");
        }
        return inBefore;
    }
}
