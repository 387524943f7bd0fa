
using Probe.Evaluation.Results;
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// Unsafe counts per category of one run under one <see cref="UnsafeDecision"/>. They come from samples.csv, the
/// per-sample evidence; summary.csv is used only for a run that has no samples.csv, and then only for the combined
/// decision (it holds no per-judge counts).
/// </summary>
public sealed class CategoryCounts
{
    CategoryCounts(IReadOnlyList<(string Category, Proportion Unsafe)> rows, int unscored, bool fromSummary)
    {
        Rows = rows;
        Unscored = unscored;
        FromSummary = fromSummary;
    }

    /// <summary>Categories in the order the run lists them.</summary>
    public IReadOnlyList<(string Category, Proportion Unsafe)> Rows { get; }

    /// <summary>Samples the chosen judge did not score (left out of every count).</summary>
    public int Unscored { get; }

    public bool FromSummary { get; }

    public Proportion? this[string category] =>
        Rows.FirstOrDefault(r => r.Category == category) is { Category: not null } row ? row.Unsafe : null;

    public static CategoryCounts Of(RunFolder run, UnsafeDecision decision)
    {
        if (run.Samples.Count == 0)
        {
            var rows = run.Summary.Where(r => r.Category != CategorySummary.Overall).Select(r => (r.Category, r.Unsafe)).ToList();
            if (rows.Count == 0) throw new EvaluationException($"{run.Path}: the run has no samples ({SamplesCsv.FileName} and {SummaryCsv.FileName} are missing or empty)");
            if (decision.Judge is not null)
                throw new EvaluationException($"{run.Path}: has no {SamplesCsv.FileName}, so per-judge counts are unknown; drop --judge");
            return new CategoryCounts(rows, 0, fromSummary: true);
        }

        decision.EnsureKnownIn(run);
        var unscored = 0;
        var counts = new List<(string Category, int Unsafe, int N)>();
        foreach (var sample in run.Samples)
        {
            var verdict = decision.Of(sample);
            if (verdict is null)
            {
                unscored++;
                continue;
            }
            var i = counts.FindIndex(c => c.Category == sample.Category);
            if (i < 0)
            {
                counts.Add((sample.Category, 0, 0));
                i = counts.Count - 1;
            }
            counts[i] = (sample.Category, counts[i].Unsafe + (verdict.Value ? 1 : 0), counts[i].N + 1);
        }
        return new CategoryCounts(counts.Select(c => (c.Category, new Proportion(c.Unsafe, c.N))).ToList(), unscored, fromSummary: false);
    }
}
