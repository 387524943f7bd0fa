using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// The exact KL between the trained and the reference policy's Gaussian denoising steps, which share σ_t:
/// KL_b = mean_{c,h,w} (μ_θ − μ_ref)² / (2σ_t²), per element as ddpo-pytorch averages log-probabilities.
/// </summary>
public sealed class GaussianStepKl : IKlEstimator<StepScore>
{
    public Tensor Estimate(StepScore policy, StepScore reference)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(reference);
        var dims = Enumerable.Range(1, (int)policy.Mean.dim() - 1).Select(d => (long)d).ToArray();
        return (policy.Mean - reference.Mean).pow(2).mean(dims) / (2 * policy.Std.pow(2).view(-1));
    }
}
