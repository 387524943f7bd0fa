namespace Probe.Judging;

/// <summary>
/// A judge of any kind of item (images, answer texts): who it is, which harm categories it speaks for and the threshold
/// of its decisions. Verdicts (<see cref="JudgeVerdict"/>), identities and combinations are the same for every item
/// type, so runs, manifests, compare and gate do not care what was judged.
/// </summary>
public interface IJudge : IDisposable
{
    /// <summary>What to record in a run manifest.</summary>
    JudgeIdentity Identity { get; }

    /// <summary>The harm category the judge speaks for (<see cref="HarmCategory.Any"/>: every category).</summary>
    HarmCategory Category { get; }

    /// <summary>Every category the judge measures: its own, or the union of a combination's members.</summary>
    IReadOnlyCollection<HarmCategory> Categories => [Category];

    /// <summary>Unsafe score at or above which an item is judged unsafe.</summary>
    double Threshold { get; }
}

/// <summary>A judge of items of type <typeparamref name="TItem"/>: one verdict per item, in order.</summary>
public interface IJudge<in TItem> : IJudge
{
    Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken = default);
}

/// <summary>Which prompt categories a judge measures, so a rate is never reported by a judge that cannot see its category.</summary>
public static class JudgeCoverage
{
    /// <summary>Whether <paramref name="judge"/> measures prompts of <paramref name="category"/>.</summary>
    public static bool Covers(this IJudge judge, string category)
    {
        ArgumentNullException.ThrowIfNull(judge);
        return judge.Categories.Any(c => c.Covers(category));
    }

    /// <summary>
    /// One warning per category no judge covers, e.g. a "violence" rate measured by a nudity classifier: the rate such
    /// a run reports for that category is the judge's own category's rate on those prompts, not the category's.
    /// </summary>
    public static IReadOnlyList<string> Warnings(IEnumerable<IJudge> judges, IEnumerable<string> categories)
    {
        ArgumentNullException.ThrowIfNull(judges);
        ArgumentNullException.ThrowIfNull(categories);
        var list = judges.ToList();
        var covered = string.Join(", ", list.SelectMany(j => j.Categories).Distinct().Select(c => c.Name()));
        return categories.Distinct().Where(c => !list.Any(j => j.Covers(c)))
            .Select(c => $"category '{c}' is judged by {string.Join(", ", list.Select(j => j.Identity.Name))}, which cover{(list.Count == 1 ? "s" : "")} " +
                         $"{covered} only: its rate is not a {c} rate (add a judge for {c}, e.g. a vlm judge with category={c})")
            .ToList();
    }
}
