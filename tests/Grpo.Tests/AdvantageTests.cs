
using Probe.Grpo;

namespace Probe.Tests.Grpo;

public class AdvantageTests
{
    [Test]
    public void Group_advantages_normalise_within_each_prompt_with_the_population_std()
    {
        double[] rewards = [1, 2, 3, 10, 10, 40];
        int[] groups = [0, 0, 0, 1, 1, 1];
        var a = GroupAdvantages.Compute(rewards, groups, epsilon: 1e-4);
        var std0 = Math.Sqrt(2.0 / 3);
        var std1 = Math.Sqrt(200.0);
        Assert.Multiple(() =>
        {
            Assert.That(a[0], Is.EqualTo(-1 / (std0 + 1e-4)).Within(1e-12));
            Assert.That(a[2], Is.EqualTo(1 / (std0 + 1e-4)).Within(1e-12));
            Assert.That(a[5], Is.EqualTo(20 / (std1 + 1e-4)).Within(1e-12));
            Assert.That(a.Take(3).Sum(), Is.EqualTo(0).Within(1e-12), "zero mean per group");
        });
    }

    [Test]
    public void A_group_of_equal_rewards_gets_zero_advantage()
    {
        var a = GroupAdvantages.Compute([0.5, 0.5, 0.5], [0, 0, 0], 1e-4);
        Assert.That(a, Is.All.EqualTo(0.0));
    }

    [Test]
    public void Shaping_clips_and_optionally_keeps_only_positive_advantages()
    {
        double[] a = [-7, -1, 0.5, 9];
        Assert.Multiple(() =>
        {
            Assert.That(GroupAdvantages.Shape(a, 5, positiveOnly: false), Is.EqualTo(new[] { -5, -1, 0.5, 5 }));
            Assert.That(GroupAdvantages.Shape(a, 5, positiveOnly: true), Is.EqualTo(new[] { 0, 0, 0.5, 5 }));
        });
    }

    [Test]
    public void Ddpo_tracker_uses_batch_statistics_until_a_prompt_has_min_count_rewards()
    {
        var tracker = new PerPromptStatTracker(bufferSize: 4, minCount: 3);
        string[] prompts = ["a", "a", "b", "b"];
        var first = tracker.Update(prompts, [1.0, 3.0, 10.0, 20.0]);
        var (bm, bs) = Statistics.MeanStd([1.0, 3.0, 10.0, 20.0]);
        Assert.That(first[0], Is.EqualTo((1 - bm) / (bs + 1e-6)).Within(1e-12), "fewer than min_count: batch statistics");

        var second = tracker.Update(prompts, [5.0, 7.0, 30.0, 40.0]);
        var (am, asd) = Statistics.MeanStd([1.0, 3.0, 5.0, 7.0]);
        Assert.That(second[0], Is.EqualTo((5 - am) / (asd + 1e-6)).Within(1e-12), "then the prompt's own buffer");

        tracker.Update(prompts, [9.0, 11.0, 0, 0]);
        Assert.That(tracker.Snapshot()["a"], Is.EqualTo(new[] { 5.0, 7.0, 9.0, 11.0 }), "the buffer keeps the newest buffer_size rewards");
    }

    [Test]
    public void Ddpo_tracker_state_round_trips()
    {
        var a = new PerPromptStatTracker(8, 2);
        a.Update(["x", "y", "x"], [1, 2, 3]);
        var b = new PerPromptStatTracker(8, 2);
        b.Restore(a.Snapshot());
        Assert.That(b.Update(["x", "y"], [4, 5]), Is.EqualTo(a.Update(["x", "y"], [4, 5])));
    }

    [TestCase(RewardMode.Score, 0.8, 0.8)]
    [TestCase(RewardMode.Logit, 0.8, 1.3862943611198906)]
    [TestCase(RewardMode.Decision, 0.8, 1.0)]
    public void Rewards_follow_the_mode(RewardMode mode, double score, double expected)
    {
        var r = RewardTransform.Rewards([new RewardScore(score, true)], mode);
        Assert.That(r[0], Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Logit_rewards_stay_finite_at_certain_scores_and_decision_needs_a_decision()
    {
        var r = RewardTransform.Rewards([new RewardScore(1.0), new RewardScore(0.0)], RewardMode.Logit);
        Assert.Multiple(() =>
        {
            Assert.That(r.All(double.IsFinite), Is.True);
            Assert.Throws<ArgumentException>(() => RewardTransform.Rewards([new RewardScore(0.3)], RewardMode.Decision));
        });
    }
}
