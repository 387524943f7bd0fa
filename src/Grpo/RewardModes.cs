namespace Probe.Grpo;

/// <summary>
/// The reward vocabulary of run configs and flags, in one place: <c>unsafe_score</c> (the judge's score),
/// <c>logit</c> and <c>decision</c>. Unknown names are refused, never mapped to a default.
/// </summary>
public static class RewardModes
{
    static readonly (string Name, RewardMode Mode)[] Names =
    [
        ("unsafe_score", RewardMode.Score),
        ("logit", RewardMode.Logit),
        ("decision", RewardMode.Decision),
    ];

    /// <summary>The accepted names, for messages: "unsafe_score, logit or decision".</summary>
    public static string Valid { get; } = $"{string.Join(", ", Names[..^1].Select(n => n.Name))} or {Names[^1].Name}";

    public static bool TryParse(string? name, out RewardMode mode)
    {
        foreach (var (n, m) in Names)
        {
            if (string.Equals(n, name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                mode = m;
                return true;
            }
        }
        mode = RewardMode.Score;
        return false;
    }

    /// <summary>The mode named <paramref name="name"/>; <see cref="GrpoConfigException"/> for any other name.</summary>
    public static RewardMode Parse(string? name) =>
        TryParse(name, out var mode) ? mode : throw new GrpoConfigException([$"reward = {name ?? "null"}: must be {Valid}"]);
}
