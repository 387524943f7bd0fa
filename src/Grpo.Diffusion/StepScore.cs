using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// A recorded step re-scored by <see cref="TrajectoryScorer"/>: log-probability [B] under the current policy, DDIM
/// mean μθ [B,C,h,w] and σ_t [B,1,1,1], and the log-probability recorded at sampling [B].
/// </summary>
public sealed record StepScore(Tensor LogProb, Tensor Mean, Tensor Std, Tensor OldLogProb) : IPolicyScore
{
    /// <summary>Denoising steps are scored per sample: no token mask.</summary>
    public Tensor? Mask => null;
}
