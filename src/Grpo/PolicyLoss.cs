using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// The clipped surrogate of PPO on one micro-step of a minibatch, plus the optional KL penalty to the reference policy:
/// <code>
/// ratio = exp(log p_θ − log p_old)
/// L     = agg max(−A·ratio, −A·clip(ratio, 1−ε_low, 1+ε_high))  +  β · agg KL
/// </code>
/// For a per-sample policy (log-probabilities [B], as ddpo-pytorch's denoising steps) <c>agg</c> is the mean over the
/// minibatch. For a token policy (log-probabilities [B,T] with a 0/1 completion mask [B,T]) the advantage of each
/// completion applies to all its tokens and <c>agg</c> is the <see cref="LossAggregation"/> (TRL's loss types).
/// ε_low = ε_high is PPO's symmetric clip; ε_high &gt; ε_low is DAPO's clip-higher.
/// </summary>
public static class PolicyLoss
{
    /// <param name="logProb">[B] log-probabilities under the current policy (with gradient).</param>
    /// <param name="oldLogProb">[B] log-probabilities recorded at sampling.</param>
    /// <param name="advantages">[B] (already clipped/shaped).</param>
    /// <param name="clipRange">ε.</param>
    /// <param name="klPerSample">[B] KL to the reference policy, or null.</param>
    /// <param name="klBeta">β.</param>
    public static PolicyLossTerms Compute(Tensor logProb, Tensor oldLogProb, Tensor advantages, double clipRange, Tensor? klPerSample = null, double klBeta = 0) =>
        Compute(logProb, oldLogProb, advantages, clipRange, clipRange, klPerSample, klBeta, mask: null, LossAggregation.Token);

    /// <param name="logProb">[B] or [B,T] log-probabilities under the current policy (with gradient).</param>
    /// <param name="oldLogProb">Same shape: recorded at sampling.</param>
    /// <param name="advantages">[B], one per sample or completion.</param>
    /// <param name="clipLow">ε_low: the ratio is clipped below at 1 − ε_low.</param>
    /// <param name="clipHigh">ε_high: the ratio is clipped above at 1 + ε_high.</param>
    /// <param name="kl">KL to the reference, the shape of <paramref name="logProb"/>, or null.</param>
    /// <param name="klBeta">β.</param>
    /// <param name="mask">[B,T] 1 for completion tokens, 0 for padding; null for per-sample log-probabilities.</param>
    /// <param name="aggregation">How token losses are averaged (with a mask only).</param>
    public static PolicyLossTerms Compute(Tensor logProb, Tensor oldLogProb, Tensor advantages, double clipLow, double clipHigh,
                                          Tensor? kl, double klBeta, Tensor? mask, LossAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(logProb);
        ArgumentNullException.ThrowIfNull(oldLogProb);
        ArgumentNullException.ThrowIfNull(advantages);
        if (mask is not null && (logProb.dim() != 2 || !mask.shape.SequenceEqual(logProb.shape)))
            throw new ArgumentException($"a token mask [{string.Join(",", mask.shape)}] needs log-probabilities [B,T] of the same shape, got [{string.Join(",", logProb.shape)}]");
        if (mask is null && logProb.dim() != 1)
            throw new ArgumentException($"per-sample log-probabilities must be [B], got [{string.Join(",", logProb.shape)}]; pass a mask for tokens");
        using var scope = NewDisposeScope();
        var old = oldLogProb.detach().to(logProb.dtype);
        var adv = advantages.detach().to(logProb.dtype);
        if (mask is not null) adv = adv.unsqueeze(1);
        var logRatio = logProb - old;
        var ratio = logRatio.exp();
        var unclipped = -adv * ratio;
        var clipped = -adv * ratio.clamp(1.0 - clipLow, 1.0 + clipHigh);
        var m = mask?.detach().to(logProb.dtype);
        var policy = Aggregate(maximum(unclipped, clipped), m, aggregation);
        var loss = policy;
        double? klValue = null;
        if (kl is not null)
        {
            var klMean = Aggregate(kl, m, aggregation);
            klValue = klMean.item<float>();
            if (klBeta > 0) loss = loss + klBeta * klMean;
        }
        using var noGrad = no_grad();
        // Diagnostics over the tokens that count (all samples without a mask).
        var selected = m is null ? null : m.to(ScalarType.Bool);
        Tensor Pick(Tensor t) => selected is null ? t : t.masked_select(selected);
        // Every token masked out (a minibatch of non-positive advantages under an advantage mask): nothing is trained.
        if (selected is not null && !selected.any().item<bool>())
            return new PolicyLossTerms(loss.MoveToOuterDisposeScope(), policy.item<float>(), 0, 0, 1, 1, 1, klValue);
        var r = Pick(ratio.detach()).to(ScalarType.Float64);
        var lr = Pick(logRatio.detach()).to(ScalarType.Float64);
        return new PolicyLossTerms(
            Loss: loss.MoveToOuterDisposeScope(),
            PolicyLoss: policy.item<float>(),
            ApproxKl: (0.5 * lr.pow(2).mean()).item<double>(),
            ClipFraction: ClipFraction(Pick(ratio.detach()), clipLow, clipHigh),
            RatioMean: r.mean().item<double>(),
            RatioMin: r.min().item<double>(),
            RatioMax: r.max().item<double>(),
            KlToReference: klValue);
    }

    /// <summary>
    /// The token mask with every completion whose advantage is not positive removed: [B,T] mask × (A &gt; 0)[B,1].
    /// GRP-Obliteration's L_DAPO reinforces only the completions that beat their group, so the others do not even
    /// dilute the token average.
    /// </summary>
    public static Tensor PositiveAdvantageMask(Tensor mask, Tensor advantages)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(advantages);
        using var scope = NewDisposeScope();
        var keep = advantages.detach().gt(0).to(mask.dtype).to(mask.device).unsqueeze(1);
        return (mask * keep).MoveToOuterDisposeScope();
    }

    /// <summary>Share of ratios outside [1 − ε_low, 1 + ε_high]; ddpo-pytorch's |ratio − 1| &gt; ε (in the ratio's dtype) when symmetric.</summary>
    static double ClipFraction(Tensor ratio, double clipLow, double clipHigh) =>
        (clipLow == clipHigh ? (ratio - 1.0).abs() > clipLow : (ratio < 1.0 - clipLow) | (ratio > 1.0 + clipHigh))
            .to(ScalarType.Float64).mean().item<double>();

    static Tensor Aggregate(Tensor perElement, Tensor? mask, LossAggregation aggregation)
    {
        if (mask is null) return perElement.mean();
        var masked = perElement * mask;
        return aggregation switch
        {
            LossAggregation.Token => masked.sum() / mask.sum().clamp_min(1),
            LossAggregation.Sequence => (masked.sum(1) / mask.sum(1).clamp_min(1)).mean(),
            LossAggregation.Fixed => masked.sum() / (mask.shape[0] * mask.shape[1]),
            _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, null),
        };
    }
}
