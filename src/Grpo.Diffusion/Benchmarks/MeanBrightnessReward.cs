using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion.Benchmarks;

/// <summary>The benchmark's reward: mean pixel value per image, a constant-cost stand-in for a judge.</summary>
internal sealed class MeanBrightnessReward : IRewardFunction
{
    public Task<IReadOnlyList<RewardScore>> ScoreAsync(Tensor images, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var means = images.to(ScalarType.Float64).mean([1, 2, 3]).data<double>().ToArray();
        IReadOnlyList<RewardScore> scores = means.Select(m => new RewardScore(m)).ToArray();
        return Task.FromResult(scores);
    }
}
