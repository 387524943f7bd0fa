using static TorchSharp.torch;

namespace Probe.Grpo;

/// <summary>
/// A micro-step of a minibatch scored under a policy: log-probabilities of what was sampled, [B] for per-sample
/// policies (a denoising step) or [B,T] with a completion mask for token policies, and those recorded at sampling.
/// Policies add what their KL estimator needs (a Gaussian step's mean and σ, say).
/// </summary>
public interface IPolicyScore
{
    /// <summary>Under the current policy (with gradient when training).</summary>
    Tensor LogProb { get; }

    /// <summary>Recorded when the rollout was sampled (no gradient).</summary>
    Tensor OldLogProb { get; }

    /// <summary>[B,T] 1 for tokens that count, 0 for padding; null for per-sample log-probabilities.</summary>
    Tensor? Mask { get; }
}
