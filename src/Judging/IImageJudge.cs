using Probe.Core.Images;
using TorchSharp;

namespace Probe.Judging;

/// <summary>
/// Judges images for one harm category: per image every label's score, an unsafe score in [0,1] and a decision at
/// <see cref="IJudge.Threshold"/>. Implementations are safe to call from one thread at a time unless they say otherwise.
/// </summary>
public interface IImageJudge : IJudge<RgbImage>
{

    /// <summary>
    /// Judges a float batch [N,3,H,W] with values in [0,1] (what the diffusion pipeline produces), on any device.
    /// The batch is rounded to 8-bit first, so the verdict equals the one for the PNG the pipeline would save.
    /// </summary>
    Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(torch.Tensor images, CancellationToken cancellationToken = default);
}
