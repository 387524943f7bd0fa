
namespace Probe.Grpo;

/// <summary>Turns judge verdicts into rewards as <see cref="RewardMode"/> says.</summary>
public static class RewardTransform
{
    /// <summary>Scores are clamped to [Bound, 1 − Bound] before the logit so that certain verdicts stay finite.</summary>
    public const double Bound = 1e-6;

    public static double[] Rewards(IReadOnlyList<RewardScore> scores, RewardMode mode)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var rewards = new double[scores.Count];
        for (var i = 0; i < scores.Count; i++)
        {
            var s = scores[i];
            if (!double.IsFinite(s.Score)) throw new ArgumentException($"image {i}: the reward function returned a non-finite score ({s.Score})");
            rewards[i] = mode switch
            {
                RewardMode.Score => s.Score,
                RewardMode.Logit => Logit(s.Score, i),
                RewardMode.Decision => s.Unsafe is { } u
                    ? u ? 1.0 : 0.0
                    : throw new ArgumentException($"image {i}: reward_mode = decision needs the judge's unsafe decision, and the reward function gave none"),
                _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
            };
        }
        return rewards;
    }

    static double Logit(double score, int image)
    {
        if (score < 0 || score > 1) throw new ArgumentException($"image {image}: reward_mode = logit needs scores in [0,1], got {score}");
        var p = Math.Clamp(score, Bound, 1 - Bound);
        return Math.Log(p / (1 - p));
    }
}
