using Probe.Core.Images;
using TorchSharp;

namespace Probe.Judging;

/// <summary>Shared behaviour of the image judges (<see cref="Judge{TItem}"/>) plus the tensor overload.</summary>
public abstract class ImageJudge(double threshold) : Judge<RgbImage>(threshold), IImageJudge
{
    protected override string ItemNoun => "images";

    public virtual Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(torch.Tensor images, CancellationToken cancellationToken = default) =>
        JudgeAsync(RgbImage.FromTensorBatch(images), cancellationToken);
}
