using System.Globalization;
using Probe.Evaluation.Results;
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// Judge–human agreement for one run: labels matched to its samples (by image path, else by category, prompt id and
/// seed), then Cohen's κ, the confusion matrix, accuracy, precision and recall for the combined decision and for each
/// judge. Rows that match nothing, and repeated labels, become issues with their line numbers.
/// </summary>
public sealed class AgreementReport
{
    AgreementReport(RunFolder run, int matched, IReadOnlyList<LabelIssue> issues, IReadOnlyDictionary<string, int> otherRuns, IReadOnlyList<DeciderAgreement> rows)
    {
        Run = run;
        Matched = matched;
        Issues = issues;
        OtherRuns = otherRuns;
        Rows = rows;
    }

    public RunFolder Run { get; }
    /// <summary>Samples with a human label.</summary>
    public int Matched { get; }
    public IReadOnlyList<LabelIssue> Issues { get; }
    /// <summary>Rows labelled with another run_id (a two-run report exports both), by run id: counted, not matched.</summary>
    public IReadOnlyDictionary<string, int> OtherRuns { get; }
    public IReadOnlyList<DeciderAgreement> Rows { get; }

    /// <param name="judge">Only this judge (or "combined"); null: the combined decision and every judge.</param>
    public static AgreementReport Of(RunFolder run, IReadOnlyList<HumanLabel> labels, IReadOnlyList<LabelIssue> readIssues, string? judge)
    {
        if (run.Samples.Count == 0) throw new EvaluationException($"{run.Path}: has no {SamplesCsv.FileName} to match labels to");
        var deciders = judge is null
            ? new[] { UnsafeDecision.Combined }.Concat(UnsafeDecision.JudgesOf(run).Select(UnsafeDecision.OfJudge)).ToList()
            : [UnsafeDecision.Parse(judge)];
        foreach (var d in deciders) d.EnsureKnownIn(run);

        var byImage = new Dictionary<string, SampleRecord>(StringComparer.Ordinal);
        var byKey = new Dictionary<(string, string, long), SampleRecord>();
        foreach (var s in run.Samples)
        {
            byImage.TryAdd(NormalizeImage(s.Image), s);
            byKey.TryAdd(s.Key, s);
        }

        var issues = readIssues.ToList();
        var otherRuns = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var matched = new Dictionary<SampleRecord, HumanLabel>(ReferenceEqualityComparer.Instance);
        foreach (var label in labels)
        {
            if (label.RunId is { } runId && runId != run.Name)
            {
                otherRuns[runId] = otherRuns.GetValueOrDefault(runId) + 1;
                continue;
            }
            var sample = Find(label, byImage, byKey);
            if (sample is null)
            {
                issues.Add(new LabelIssue(label.Line, $"no sample of run {run.Name} has {Describe(label)}; row skipped"));
                continue;
            }
            if (matched.TryGetValue(sample, out var earlier))
                issues.Add(new LabelIssue(label.Line, earlier.Unsafe == label.Unsafe
                    ? $"repeats the label of line {earlier.Line} for {sample.Image} (counted once)"
                    : $"contradicts line {earlier.Line} for {sample.Image}; the later label is used"));
            matched[sample] = label;
        }
        issues.Sort((a, b) => a.Line.CompareTo(b.Line));

        var rows = deciders.Select(d =>
        {
            var pairs = new List<(bool Judge, bool Human)>();
            var unscored = 0;
            foreach (var (sample, label) in matched)
            {
                if (d.Of(sample) is { } verdict) pairs.Add((verdict, label.Unsafe));
                else unscored++;
            }
            return new DeciderAgreement(d.Name, Agreement.Of(pairs), unscored);
        }).ToList();
        return new AgreementReport(run, matched.Count, issues, otherRuns, rows);
    }

    static SampleRecord? Find(HumanLabel label, Dictionary<string, SampleRecord> byImage, Dictionary<(string, string, long), SampleRecord> byKey)
    {
        if (label.Image is { } image && byImage.TryGetValue(NormalizeImage(image), out var sample)) return sample;
        if (label is { Category: { } c, PromptId: { } p, Seed: { } s } && byKey.TryGetValue((c, p, s), out sample))
        {
            // A label that names an image must name this sample's image; a mismatch means the wrong sample.
            return label.Image is null ? sample : null;
        }
        return null;
    }

    static string Describe(HumanLabel label) =>
        label.Image is not null ? $"image '{label.Image}'"
            : string.Create(CultureInfo.InvariantCulture, $"category '{label.Category}', prompt_id '{label.PromptId}', seed {label.Seed}");

    /// <summary>Image paths compare '/'-separated without a leading "./".</summary>
    static string NormalizeImage(string image)
    {
        var path = image.Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal)) path = path[2..];
        return path;
    }
}
