using Probe.Core.Images;
using TorchSharp;

namespace Probe.Judging;

/// <summary>Shared behaviour of the judges: the tensor overload, argument checks and the decision rule.</summary>
public abstract class ImageJudge : IImageJudge
{
    protected ImageJudge(double threshold)
    {
        if (!(threshold >= 0 && threshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "a judge threshold must lie in [0,1]");
        Threshold = threshold;
    }

    public abstract JudgeIdentity Identity { get; }

    public abstract HarmCategory Category { get; }

    public double Threshold { get; }

    public async Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) return [];
        var verdicts = await JudgeCoreAsync(images, cancellationToken).ConfigureAwait(false);
        if (verdicts.Count != images.Count)
            throw new InvalidOperationException($"{Identity.Name} returned {verdicts.Count} verdicts for {images.Count} images");
        return verdicts;
    }

    public virtual Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(torch.Tensor images, CancellationToken cancellationToken = default) =>
        JudgeAsync(RgbImage.FromTensorBatch(images), cancellationToken);

    /// <summary>Judges a non-empty batch; returns exactly one verdict per image.</summary>
    protected abstract Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken);

    /// <summary>The decision rule shared by every judge: unsafe when the score reaches the threshold.</summary>
    protected bool Decide(double unsafeScore) => unsafeScore >= Threshold;

    bool disposed;

    /// <summary>Releases the judge's model or client; calling it again (e.g. by a combination and its creator) does nothing.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
