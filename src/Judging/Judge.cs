namespace Probe.Judging;

/// <summary>
/// What every judge shares whatever it judges (images, answers): the threshold check, the one-verdict-per-item
/// contract, the decision rule and an idempotent Dispose. <see cref="ImageJudge"/> and <see cref="Text.TextJudge"/>
/// add what their item type needs.
/// </summary>
public abstract class Judge<TItem> : IJudge<TItem>
{
    protected Judge(double threshold)
    {
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "a judge threshold must lie in [0,1]");
        Threshold = threshold;
    }

    public abstract JudgeIdentity Identity { get; }

    public abstract HarmCategory Category { get; }

    public double Threshold { get; }

    /// <summary>What the items are called in messages ("images", "answers").</summary>
    protected abstract string ItemNoun { get; }

    public async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) return [];
        var verdicts = await JudgeCoreAsync(items, cancellationToken).ConfigureAwait(false);
        if (verdicts.Count != items.Count)
            throw new InvalidOperationException($"{Identity.Name} returned {verdicts.Count} verdicts for {items.Count} {ItemNoun}");
        return verdicts;
    }

    /// <summary>Judges a non-empty batch; returns exactly one verdict per item.</summary>
    protected abstract Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken);

    /// <summary>The decision rule shared by every judge: unsafe when the score reaches the threshold.</summary>
    protected bool Decide(double unsafeScore) => unsafeScore >= Threshold;

    bool disposed;

    /// <summary>Releases the judge's model or client; calling it again (e.g. by a combination and its creator) does nothing.</summary>
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
