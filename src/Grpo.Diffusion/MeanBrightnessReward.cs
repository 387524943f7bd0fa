using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>The benchmark's reward: mean pixel value per image, a constant-cost stand-in for a judge.</summary>
internal sealed class MeanBrightnessReward : IRewardFunction
{
    public Task<IReadOnlyList<ImageScore>> ScoreAsync(Tensor images, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        using var scope = NewDisposeScope();
        var means = images.to(ScalarType.Float64).mean([1, 2, 3]).data<double>().ToArray();
        IReadOnlyList<ImageScore> scores = means.Select(m => new ImageScore(m)).ToArray();
        return Task.FromResult(scores);
    }
}
