using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// Scores generated images for GRPO. The trainer knows nothing else about judges: the runner adapts its image judges to
/// this (unsafe score per image, plus its unsafe decision when the judge makes one).
/// </summary>
public interface IRewardFunction
{
    /// <param name="images">Decoded images [N,3,H,W], float32 in [0,1], on the CPU, prompt-major.</param>
    /// <param name="prompts">The prompt of each image (N entries).</param>
    /// <param name="cancellationToken">Cancels a long judging call.</param>
    /// <returns>One score per image, in order.</returns>
    Task<IReadOnlyList<RewardScore>> ScoreAsync(Tensor images, IReadOnlyList<string> prompts, CancellationToken cancellationToken);
}
