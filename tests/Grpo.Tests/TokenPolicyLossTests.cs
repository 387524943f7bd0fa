using Probe.Grpo;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

/// <summary>
/// The token path of the surrogate (a completion mask [B,T]) and DAPO's asymmetric clip, against hand computations of
/// TRL's loss types (grpo: per-sequence mean then mean; dapo: over all tokens; dr_grpo: over B × T).
/// </summary>
public class TokenPolicyLossTests
{
    // Two completions, lengths 3 and 1 (the second padded), on policy: ratio 1, so each token's loss is −A.
    static (Tensor LogP, Tensor Old, Tensor Adv, Tensor Mask) OnPolicy()
    {
        var logp = tensor(new[,] { { -1.0f, -2.0f, -0.5f }, { -1.5f, 0f, 0f } }).requires_grad_(true);
        var old = tensor(new[,] { { -1.0f, -2.0f, -0.5f }, { -1.5f, 0f, 0f } });
        var adv = tensor(new[] { 1.0f, -3.0f });
        var mask = tensor(new[,] { { 1f, 1f, 1f }, { 1f, 0f, 0f } });
        return (logp, old, adv, mask);
    }

    [TestCase(LossAggregation.Token, (-1f * 3 + 3f) / 4)]
    [TestCase(LossAggregation.Sequence, (-1f + 3f) / 2)]
    [TestCase(LossAggregation.Fixed, (-1f * 3 + 3f) / 6)]
    public void Each_aggregation_averages_the_unmasked_tokens_as_trl_defines_it(LossAggregation aggregation, float expected)
    {
        using var scope = NewDisposeScope();
        var (logp, old, adv, mask) = OnPolicy();
        var terms = PolicyLoss.Compute(logp, old, adv, 0.2, 0.2, kl: null, klBeta: 0, mask, aggregation);
        Assert.That(terms.Loss.item<float>(), Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void Padding_tokens_get_no_gradient()
    {
        using var scope = NewDisposeScope();
        var (logp, old, adv, mask) = OnPolicy();
        PolicyLoss.Compute(logp, old, adv, 0.2, 0.2, null, 0, mask, LossAggregation.Token).Loss.backward();
        var grad = logp.grad!;
        Assert.Multiple(() =>
        {
            // d(−A·r)/dlogp = −A·r = −A on policy, divided by the 4 counted tokens.
            Assert.That(grad[0].data<float>().ToArray(), Is.EqualTo(new[] { -0.25f, -0.25f, -0.25f }).Within(1e-6));
            Assert.That(grad[1].data<float>().ToArray(), Is.EqualTo(new[] { 0.75f, 0f, 0f }).Within(1e-6));
        });
    }

    [Test]
    public void Clip_higher_lets_a_favoured_token_grow_further_than_the_symmetric_clip()
    {
        using var scope = NewDisposeScope();
        // ratio = e^0.25 ≈ 1.284 with A > 0: clipped at 1.2 symmetrically (no gradient), free under ε_high = 0.3.
        var logp = tensor(new[] { 0.25f }).requires_grad_(true);
        var old = zeros(1);
        var adv = ones(1);
        var symmetric = PolicyLoss.Compute(logp, old, adv, 0.2, 0.2, null, 0, null, LossAggregation.Token);
        symmetric.Loss.backward();
        var clippedGrad = logp.grad![0].item<float>();
        logp.grad!.zero_();
        var higher = PolicyLoss.Compute(logp, old, adv, 0.2, 0.3, null, 0, null, LossAggregation.Token);
        higher.Loss.backward();
        Assert.Multiple(() =>
        {
            Assert.That(clippedGrad, Is.Zero);
            Assert.That(symmetric.ClipFraction, Is.EqualTo(1.0));
            Assert.That(logp.grad![0].item<float>(), Is.EqualTo(-MathF.Exp(0.25f)).Within(1e-5));
            Assert.That(higher.ClipFraction, Is.Zero);
        });
    }

    [Test]
    public void A_mask_of_another_shape_is_refused()
    {
        using var scope = NewDisposeScope();
        var (logp, old, adv, _) = OnPolicy();
        Assert.Throws<ArgumentException>(() => PolicyLoss.Compute(logp, old, adv, 0.2, 0.2, null, 0, ones(2, 2), LossAggregation.Token));
    }
}

public class LogRatioKlTests
{
    sealed record Score(Tensor LogProb, Tensor OldLogProb, Tensor? Mask) : IPolicyScore;

    [TestCase(LogRatioKl.Estimator.K1)]
    [TestCase(LogRatioKl.Estimator.K2)]
    [TestCase(LogRatioKl.Estimator.K3)]
    public void Estimators_match_schulmans_formulas(LogRatioKl.Estimator estimator)
    {
        using var scope = NewDisposeScope();
        double[] policy = [-1.0, -0.3, -2.0];
        double[] reference = [-1.2, -0.1, -2.0];
        var kl = new LogRatioKl(estimator).Estimate(
            new Score(tensor(policy), tensor(policy), null), new Score(tensor(reference), tensor(reference), null));
        var expected = policy.Zip(reference, (p, q) =>
        {
            var r = q - p;
            return estimator switch
            {
                LogRatioKl.Estimator.K1 => -r,
                LogRatioKl.Estimator.K2 => 0.5 * r * r,
                _ => Math.Exp(r) - r - 1,
            };
        }).ToArray();
        Assert.That(kl.data<double>().ToArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void K3_is_zero_on_the_reference_and_positive_elsewhere()
    {
        using var scope = NewDisposeScope();
        var p = tensor(new[] { -1.0, -0.5 });
        var same = new LogRatioKl().Estimate(new Score(p, p, null), new Score(p, p, null));
        var other = new LogRatioKl().Estimate(new Score(p, p, null), new Score(tensor(new[] { -0.7, -0.9 }), p, null));
        Assert.Multiple(() =>
        {
            Assert.That(same.data<double>().ToArray(), Is.All.EqualTo(0.0));
            Assert.That(other.data<double>().ToArray(), Is.All.GreaterThan(0.0));
        });
    }
}
