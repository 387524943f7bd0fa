using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// Estimates KL(π_θ ‖ π_ref) per sample (or per token) from the same micro-step scored under the trained policy and
/// the reference policy (the model with the trained adapter disabled). The estimate has the shape of the policy's
/// log-probabilities and is aggregated with them by <see cref="PolicyLoss"/>.
/// </summary>
public interface IKlEstimator<in TScore> where TScore : IPolicyScore
{
    Tensor Estimate(TScore policy, TScore reference);
}
