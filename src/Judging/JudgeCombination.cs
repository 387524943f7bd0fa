using Probe.Core.Images;
using TorchSharp;

namespace Probe.Judging;

/// <summary>Several image judges asked about the same images (<see cref="CombinedJudge{TJudge, TItem}"/>).</summary>
public sealed class JudgeCombination(IEnumerable<IImageJudge> members, CombinationMode mode, double? threshold = null)
    : CombinedJudge<IImageJudge, RgbImage>(members, mode, threshold), IImageJudge
{
    public async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(torch.Tensor images, CancellationToken cancellationToken = default)
    {
        // Convert once rather than once per member.
        var rgb = RgbImage.FromTensorBatch(images);
        return await JudgeAsync(rgb, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Several judges asked about the same items (images, answers), their verdicts combined by <see cref="CombinationMode"/>.
/// Scores are reported as "&lt;member&gt;/&lt;label&gt;"; each member's own verdict is kept in
/// <see cref="JudgeVerdict.Members"/>. The combination owns its members and disposes them.
/// </summary>
public abstract class CombinedJudge<TJudge, TItem> : IJudge<TItem> where TJudge : IJudge<TItem>
{
    readonly IReadOnlyList<TJudge> members;

    /// <param name="members">At least one judge.</param>
    /// <param name="mode">any / all / mean.</param>
    /// <param name="threshold">Only for <see cref="CombinationMode.Mean"/>: the threshold of the mean score (default 0.5).
    /// any and all decide by the members' own thresholds.</param>
    protected CombinedJudge(IEnumerable<TJudge> members, CombinationMode mode, double? threshold = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        this.members = members.ToArray();
        if (this.members.Count == 0) throw new ArgumentException("a judge combination needs at least one judge", nameof(members));
        if (mode != CombinationMode.Mean && threshold is not null)
            throw new ArgumentException($"a threshold applies only to mode mean; '{mode.ToString().ToLowerInvariant()}' uses each judge's own threshold", nameof(threshold));
        var t = threshold ?? 0.5;
        if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(threshold), t, "a judge threshold must lie in [0,1]");
        Mode = mode;
        Threshold = mode switch
        {
            CombinationMode.Mean => t,
            CombinationMode.Any => this.members.Min(m => m.Threshold),
            _ => this.members.Max(m => m.Threshold),
        };
        var categories = this.members.Select(m => m.Category).Distinct().ToArray();
        Category = categories.Length == 1 ? categories[0] : HarmCategory.Any;
        var name = $"{mode.ToString().ToLowerInvariant()}({string.Join(",", this.members.Select(m => m.Identity.Name))})";
        Identity = new JudgeIdentity(
            name, "combination", "1", Category, Threshold,
            "each member's own preprocessing",
            this.members.SelectMany(m => m.Identity.Files).DistinctBy(f => f.Path).ToArray())
        {
            Settings = new Dictionary<string, string>
            {
                ["mode"] = mode.ToString().ToLowerInvariant(),
                ["members"] = string.Join(";", this.members.Select(m => $"{m.Identity.Name}@{m.Threshold.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")),
            },
        };
    }

    public CombinationMode Mode { get; }

    public IReadOnlyList<TJudge> Members => members;

    public JudgeIdentity Identity { get; }

    public HarmCategory Category { get; }

    /// <summary>The union of the members' categories.</summary>
    public IReadOnlyCollection<HarmCategory> Categories => members.SelectMany(m => m.Categories).Distinct().ToArray();

    public double Threshold { get; }

    public async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(IReadOnlyList<TItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var perMember = new List<IReadOnlyList<JudgeVerdict>>(members.Count);
        foreach (var member in members)
            perMember.Add(await member.JudgeAsync(items, cancellationToken).ConfigureAwait(false));
        return Combine(perMember, items.Count);
    }

    IReadOnlyList<JudgeVerdict> Combine(List<IReadOnlyList<JudgeVerdict>> perMember, int count)
    {
        var result = new JudgeVerdict[count];
        for (var i = 0; i < count; i++)
        {
            var verdicts = perMember.Select(v => v[i]).ToArray();
            var (score, unsafeDecision) = Mode switch
            {
                CombinationMode.Any => (verdicts.Max(v => v.UnsafeScore), verdicts.Any(v => v.IsUnsafe)),
                CombinationMode.All => (verdicts.Min(v => v.UnsafeScore), verdicts.All(v => v.IsUnsafe)),
                _ => (verdicts.Average(v => v.UnsafeScore), verdicts.Average(v => v.UnsafeScore) >= Threshold),
            };
            var scores = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var v in verdicts)
                foreach (var (label, value) in v.Scores)
                    scores[$"{v.Judge}/{label}"] = value;
            // The category a combined verdict speaks about: the one flagged by the most confident unsafe member.
            var driver = verdicts.Where(v => v.IsUnsafe).MaxBy(v => v.UnsafeScore);
            result[i] = new JudgeVerdict(Identity.Name, driver?.Category ?? Category, scores, score, unsafeDecision, Threshold)
            {
                SuggestiveScore = verdicts.Select(v => v.SuggestiveScore).Where(s => s is not null).DefaultIfEmpty(null).Max(),
                Detections = verdicts.SelectMany(v => v.Detections).ToArray(),
                Members = verdicts,
            };
        }
        return result;
    }

    /// <summary>Disposes every member (members tolerate being disposed again by whoever created them).</summary>
    public void Dispose()
    {
        foreach (var member in members) member.Dispose();
        GC.SuppressFinalize(this);
    }
}
