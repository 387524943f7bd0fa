using Probe.Grpo;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

public class PolicyLossTests
{
    [Test]
    public void On_policy_the_loss_is_minus_the_mean_advantage_and_its_gradient_is_minus_A_over_B()
    {
        using var scope = NewDisposeScope();
        var logp = tensor(new[] { -1.0f, -2.0f, -3.0f }).requires_grad_(true);
        var old = tensor(new[] { -1.0f, -2.0f, -3.0f });
        var adv = tensor(new[] { 1.0f, -2.0f, 4.0f });
        var terms = PolicyLoss.Compute(logp, old, adv, clipRange: 1e-4);
        terms.Loss.backward();
        Assert.Multiple(() =>
        {
            Assert.That(terms.Loss.item<float>(), Is.EqualTo(-1.0f).Within(1e-6));
            Assert.That(logp.grad!.data<float>().ToArray(), Is.EqualTo(new[] { -1 / 3f, 2 / 3f, -4 / 3f }).Within(1e-6));
            Assert.That(terms.RatioMin, Is.EqualTo(1.0));
            Assert.That(terms.ClipFraction, Is.Zero);
        });
    }

    [Test]
    public void Beyond_the_clip_range_a_favoured_sample_gets_no_more_gradient()
    {
        using var scope = NewDisposeScope();
        // ratio = e^0.1 ≈ 1.105 > 1 + 0.05 with A > 0: the clipped branch is the max, constant in θ.
        var logp = tensor(new[] { 0.1f, 0.0f }).requires_grad_(true);
        var old = zeros(2);
        var adv = tensor(new[] { 1.0f, 1.0f });
        var terms = PolicyLoss.Compute(logp, old, adv, clipRange: 0.05);
        terms.Loss.backward();
        Assert.Multiple(() =>
        {
            Assert.That(logp.grad![0].item<float>(), Is.Zero);
            Assert.That(logp.grad![1].item<float>(), Is.EqualTo(-0.5f).Within(1e-6));
            Assert.That(terms.ClipFraction, Is.EqualTo(0.5));
            Assert.That(terms.ApproxKl, Is.EqualTo(0.5 * 0.01 / 2).Within(1e-8));
        });
    }

    [Test]
    public void The_KL_penalty_adds_beta_times_its_mean()
    {
        using var scope = NewDisposeScope();
        var logp = zeros(2).requires_grad_(true);
        var kl = tensor(new[] { 0.2f, 0.4f });
        var without = PolicyLoss.Compute(logp, zeros(2), tensor(new[] { 1.0f, -1.0f }), 0.1);
        var with = PolicyLoss.Compute(logp, zeros(2), tensor(new[] { 1.0f, -1.0f }), 0.1, kl, klBeta: 0.5);
        Assert.Multiple(() =>
        {
            Assert.That(with.Loss.item<float>() - without.Loss.item<float>(), Is.EqualTo(0.15f).Within(1e-6));
            Assert.That(with.KlToReference!.Value, Is.EqualTo(0.3).Within(1e-6));
        });
    }

    [TestCase(LearningRateSchedule.Constant, 0, 0.5)]
    [TestCase(LearningRateSchedule.Constant, 9, 1.0)]
    [TestCase(LearningRateSchedule.Linear, 2, 1.0)]
    [TestCase(LearningRateSchedule.Linear, 6, 0.5)]
    [TestCase(LearningRateSchedule.Cosine, 6, 0.5)]
    [TestCase(LearningRateSchedule.Cosine, 10, 0.0)]
    public void Learning_rate_schedules_after_warmup(LearningRateSchedule schedule, int step, double expected)
    {
        // 2 warm-up steps (rates 0.5, 1.0) then decay over the remaining 8 of 10 steps.
        Assert.That(LearningRates.At(step, 10, 1.0, schedule, warmupSteps: 2), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Warmup_ramps_linearly()
    {
        Assert.That(Enumerable.Range(0, 4).Select(s => LearningRates.At(s, 10, 1.0, LearningRateSchedule.Constant, 4)),
                    Is.EqualTo(new[] { 0.25, 0.5, 0.75, 1.0 }));
    }
}
