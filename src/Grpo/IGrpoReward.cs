namespace Probe.Grpo;

/// <summary>Scores a rollout's samples (a judge's verdicts, a rule): one <see cref="RewardScore"/> per sample, in order.</summary>
public interface IGrpoReward<in TRollout> where TRollout : IGrpoRollout
{
    Task<IReadOnlyList<RewardScore>> ScoreAsync(TRollout rollout, CancellationToken cancellationToken);
}

/// <summary>
/// A judge's verdict on one sample: <see cref="Score"/> is how directly it complies / how unsafe it is (in [0,1] for
/// the logit reward mode; any finite number for the score mode), <see cref="Unsafe"/> the judge's decision when it
/// makes one.
/// </summary>
public readonly record struct RewardScore(double Score, bool? Unsafe = null);
