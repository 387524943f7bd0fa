using Probe.Grpo;
using Probe.Grpo.Diffusion;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

/// <summary>A deterministic test reward: how red an image is, mean(R − (G + B)/2) over its pixels, in [−1, 1].</summary>
internal sealed class RednessReward : IRewardFunction
{
    public int Calls { get; private set; }

    public static double[] Of(Tensor images)
    {
        using var scope = NewDisposeScope();
        var c = images.to(ScalarType.Float64);
        var redness = (c.select(1, 0) - (c.select(1, 1) + c.select(1, 2)) / 2).mean([1, 2]);
        return redness.data<double>().ToArray();
    }

    public Task<IReadOnlyList<RewardScore>> ScoreAsync(Tensor images, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        Calls++;
        IReadOnlyList<RewardScore> scores = Of(images).Select(r => new RewardScore(r, r > 0)).ToArray();
        return Task.FromResult(scores);
    }
}
