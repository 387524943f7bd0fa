using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// Schulman's sampled estimators of KL(π_θ ‖ π_ref) from the log-ratio r = log π_ref(x) − log π_θ(x) of samples drawn
/// from π_θ (http://joschu.net/blog/kl-approx.html): k1 = −r (unbiased, high variance), k2 = r²/2 (biased, low
/// variance), k3 = (e^r − 1) − r (unbiased, non-negative; what TRL's GRPOTrainer and the GRPO paper use).
/// </summary>
public sealed class LogRatioKl(LogRatioKl.Estimator estimator = LogRatioKl.Estimator.K3) : IKlEstimator<IPolicyScore>
{
    public enum Estimator
    {
        K1,
        K2,
        K3,
    }

    public Estimator Kind => estimator;

    public Tensor Estimate(IPolicyScore policy, IPolicyScore reference)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        using var scope = NewDisposeScope();
        var r = reference.LogProb.detach().to(policy.LogProb.dtype) - policy.LogProb;
        var kl = estimator switch
        {
            Estimator.K1 => -r,
            Estimator.K2 => 0.5 * r.pow(2),
            Estimator.K3 => r.exp() - r - 1,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, null),
        };
        return kl.MoveToOuterDisposeScope();
    }
}
