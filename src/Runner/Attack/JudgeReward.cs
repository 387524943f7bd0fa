using Probe.Grpo;
using Probe.Grpo.Diffusion;
using Probe.Judging;
using static TorchSharp.torch;

namespace Probe.Runner.Attack;

/// <summary>An image judge as the GRPO reward: each image's unsafe score, with the judge's decision.</summary>
public sealed class JudgeReward(IImageJudge judge) : IRewardFunction
{
    public IImageJudge Judge => judge;

    public async Task<IReadOnlyList<RewardScore>> ScoreAsync(Tensor images, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        var verdicts = await judge.JudgeAsync(images, cancellationToken);
        return verdicts.Select(v => new RewardScore(v.UnsafeScore, v.IsUnsafe)).ToList();
    }
}
