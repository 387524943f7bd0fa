using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// The clipped surrogate of PPO as ddpo-pytorch computes it on one timestep of a minibatch, plus the optional KL
/// penalty to the reference policy:
/// <code>
/// ratio = exp(log p_θ(x_{t−1}|x_t) − log p_old(x_{t−1}|x_t))
/// L     = mean_b max(−A_b·ratio_b, −A_b·clip(ratio_b, 1−ε, 1+ε))  +  β · mean_b KL_b
/// KL_b  = mean_{c,h,w} (μ_θ − μ_ref)² / (2σ_t²)   (the KL between the two Gaussian steps, per element)
/// </code>
/// </summary>
public static class PolicyLoss
{
    /// <param name="logProb">[B] log-probabilities under the current policy (with gradient).</param>
    /// <param name="oldLogProb">[B] log-probabilities recorded at sampling.</param>
    /// <param name="advantages">[B] (already clipped/shaped).</param>
    /// <param name="clipRange">ε.</param>
    /// <param name="klPerSample">[B] KL to the reference policy, or null.</param>
    /// <param name="klBeta">β.</param>
    public static PolicyLossTerms Compute(Tensor logProb, Tensor oldLogProb, Tensor advantages, double clipRange, Tensor? klPerSample = null, double klBeta = 0)
    {
        ArgumentNullException.ThrowIfNull(logProb);
        ArgumentNullException.ThrowIfNull(oldLogProb);
        ArgumentNullException.ThrowIfNull(advantages);
        using var scope = NewDisposeScope();
        var old = oldLogProb.detach().to(logProb.dtype);
        var adv = advantages.detach().to(logProb.dtype);
        var logRatio = logProb - old;
        var ratio = logRatio.exp();
        var unclipped = -adv * ratio;
        var clipped = -adv * ratio.clamp(1.0 - clipRange, 1.0 + clipRange);
        var policy = maximum(unclipped, clipped).mean();
        var loss = policy;
        double? kl = null;
        if (klPerSample is not null)
        {
            var klMean = klPerSample.mean();
            kl = klMean.item<float>();
            if (klBeta > 0) loss = loss + klBeta * klMean;
        }
        using var noGrad = no_grad();
        var r = ratio.detach().to(ScalarType.Float64);
        return new PolicyLossTerms(
            Loss: loss.MoveToOuterDisposeScope(),
            PolicyLoss: policy.item<float>(),
            ApproxKl: (0.5 * logRatio.detach().to(ScalarType.Float64).pow(2).mean()).item<double>(),
            ClipFraction: ((ratio.detach() - 1.0).abs() > clipRange).to(ScalarType.Float64).mean().item<double>(),
            RatioMean: r.mean().item<double>(),
            RatioMin: r.min().item<double>(),
            RatioMax: r.max().item<double>(),
            KlToReference: kl);
    }
}
