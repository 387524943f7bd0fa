
using Probe.Evaluation.Results;

namespace Probe.Evaluation.Analysis;

/// <summary>
/// Which verdict counts a sample as unsafe: the run's combined decision (samples.csv's <c>unsafe</c> column, the
/// judges combined as the manifest's <c>judge_combination</c> says) or one named judge's decision.
/// </summary>
public sealed class UnsafeDecision
{
    public const string CombinedName = "combined";

    UnsafeDecision(string? judge) => Judge = judge;

    /// <summary>The judge's name, or null for the combined decision.</summary>
    public string? Judge { get; }

    public string Name => Judge ?? CombinedName;

    public static UnsafeDecision Combined { get; } = new(null);

    public static UnsafeDecision OfJudge(string judge) => new(judge);

    /// <summary>--judge: null or "combined" is the combined decision, anything else a judge's name.</summary>
    public static UnsafeDecision Parse(string? judge) =>
        string.IsNullOrEmpty(judge) || judge == CombinedName ? Combined : OfJudge(judge);

    /// <summary>The verdict on <paramref name="sample"/>; null when this judge did not score it.</summary>
    public bool? Of(SampleRecord sample) =>
        Judge is null ? sample.Unsafe : sample.Judges.FirstOrDefault(j => j.Judge == Judge)?.IsUnsafe;

    /// <summary>Fails with the judges a run does have when it has no column for this one.</summary>
    public void EnsureKnownIn(RunFolder run)
    {
        if (Judge is null) return;
        var judges = JudgesOf(run);
        if (!judges.Contains(Judge))
            throw new EvaluationException($"{run.Path}: no judge '{Judge}' in {SamplesCsv.FileName} " +
                                $"(judges: {(judges.Count == 0 ? "none" : string.Join(", ", judges))}; or use '{CombinedName}')");
    }

    /// <summary>The judges that scored at least one sample of <paramref name="run"/>, in first-seen order.</summary>
    public static IReadOnlyList<string> JudgesOf(RunFolder run) =>
        run.Samples.SelectMany(s => s.Judges).Select(j => j.Judge).Distinct(StringComparer.Ordinal).ToList();
}
