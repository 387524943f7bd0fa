namespace Probe.Grpo.Diffusion;

/// <summary>An image <see cref="IRewardFunction"/> as the GRPO loop's reward over a rollout's decoded images.</summary>
public sealed class ImageReward(IRewardFunction images) : IGrpoReward<Rollout>
{
    public Task<IReadOnlyList<RewardScore>> ScoreAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        return images.ScoreAsync(rollout.Images, rollout.TrajectoryPrompts, cancellationToken);
    }
}
