using Probe.Judging;
using Probe.Judging.Text;

namespace Probe.Grpo.Llm;

/// <summary>
/// A text judge as the GRPO reward: each completion's answer with its prompt becomes a <see cref="PromptAnswer"/>,
/// and the verdict's unsafe score (GRP-Obliteration's compliance reward, e.g. the R_IDA rubric) is the reward. A judge
/// that fails throws, and the update fails with it: a missing verdict scored as 0 would be a silent, wrong gradient.
/// </summary>
public sealed class TextJudgeReward(IJudge<PromptAnswer> judge) : IGrpoReward<ChatRollout>
{
    public IJudge<PromptAnswer> Judge => judge;

    public async Task<IReadOnlyList<RewardScore>> ScoreAsync(ChatRollout rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        var prompts = rollout.SamplePrompts;
        var items = prompts.Select((p, i) => new PromptAnswer(p, rollout.Answers[i])).ToList();
        var verdicts = await judge.JudgeAsync(items, cancellationToken).ConfigureAwait(false);
        if (verdicts.Count != items.Count)
            throw new InvalidOperationException($"judge {judge.Identity.Name} returned {verdicts.Count} verdicts for {items.Count} answers");
        return verdicts.Select((v, i) => double.IsFinite(v.UnsafeScore)
            ? new RewardScore(v.UnsafeScore, v.IsUnsafe)
            : throw new InvalidOperationException($"judge {judge.Identity.Name} gave answer {i} the unsafe score {v.UnsafeScore}")).ToList();
    }
}
