using Probe.Core;
using Probe.Grpo;
using Probe.Grpo.Llm;

namespace Probe.Tests.GrpoLlm;

/// <summary>GRPO on the tiny chat model learns an easy reward, in both loss modes, and a judge failure stops the run.</summary>
public class LearningTests
{
    static ChatGrpoConfig Config(ChatLossMode mode) => ChatGrpoTestKit.Small with
    {
        Updates = 30, GroupSize = 8, TrainBatchSize = 8, PromptsPerUpdate = 0, MaxNewTokens = 8, LossMode = mode, LearningRate = 5e-2, InnerEpochs = 2,
    };

    [TestCase(ChatLossMode.Dapo)]
    [TestCase(ChatLossMode.Oblit)]
    public void The_mean_reward_rises_over_a_few_updates(ChatLossMode mode)
    {
        using var model = ChatGrpoTestKit.LoadModel();
        var updates = new List<GrpoUpdate>();
        var result = ChatGrpoTestKit.Trainer(model, Config(mode)).Run(ChatGrpoTestKit.Prompts, updates: new SynchronousProgress<GrpoUpdate>(updates.Add));
        var rewards = result.History.Select(u => u.RewardMean).ToArray();
        TestContext.Out.WriteLine($"{mode}: rewards {string.Join(" ", rewards.Select(r => r.ToString("F3")))}; " +
                                  $"seconds/update {string.Join(" ", result.History.Select(u => u.Seconds.ToString("F2")))}");
        Assert.Multiple(() =>
        {
            Assert.That(updates, Has.Count.EqualTo(30));
            Assert.That(rewards.TakeLast(2).Average(), Is.GreaterThan(rewards.Take(2).Average() + 0.4), "last two updates beat the first two (measured: dapo 0.25 → 0.98, oblit 0.23 → 0.80)");
        });
    }

    [Test]
    public void A_failing_judge_fails_the_run_instead_of_scoring_zero()
    {
        using var model = ChatGrpoTestKit.LoadModel();
        var trainer = ChatGrpoTestKit.Trainer(model, ChatGrpoTestKit.Small with { Updates = 1 }, new FailingJudge());
        var e = Assert.Throws<HttpRequestException>(() => trainer.Run(ChatGrpoTestKit.Prompts));
        Assert.That(e!.Message, Does.Contain("503"));
    }
}
