namespace Probe.Judging.Text;

/// <summary>
/// Shared behaviour of the text judges: argument checks, the one-verdict-per-item contract and the decision rule.
/// Every text judge speaks for every category (<see cref="HarmCategory.Any"/>): it measures whether the answer does
/// what the request asks, and the request's category comes from the prompt set.
/// </summary>
public abstract class TextJudge : IJudge<PromptAnswer>
{
    protected TextJudge(double threshold)
    {
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "a judge threshold must lie in [0,1]");
        Threshold = threshold;
    }

    public abstract JudgeIdentity Identity { get; }

    public HarmCategory Category => HarmCategory.Any;

    public double Threshold { get; }

    public async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(IReadOnlyList<PromptAnswer> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return [];
        var verdicts = await JudgeCoreAsync(items, cancellationToken).ConfigureAwait(false);
        if (verdicts.Count != items.Count)
            throw new InvalidOperationException($"{Identity.Name} returned {verdicts.Count} verdicts for {items.Count} answers");
        return verdicts;
    }

    /// <summary>Judges a non-empty batch; returns exactly one verdict per answer.</summary>
    protected abstract Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<PromptAnswer> items, CancellationToken cancellationToken);

    /// <summary>A verdict of this judge: unsafe when the score reaches the threshold.</summary>
    protected JudgeVerdict Verdict(IReadOnlyDictionary<string, double> scores, double unsafeScore, string? explanation) =>
        new(Identity.Name, HarmCategory.Any, scores, unsafeScore, unsafeScore >= Threshold, Threshold) { Explanation = explanation };

    bool disposed;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
