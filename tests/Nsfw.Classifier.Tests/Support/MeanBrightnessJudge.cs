using Probe.Core.Images;
using Probe.Judging;

namespace Probe.Tests.Support;

/// <summary>A judge whose unsafe score is the image's mean pixel value / 255: easy to predict per file.</summary>
public sealed class MeanBrightnessJudge() : ImageJudge(0.5)
{
    public List<int> BatchSizes { get; } = [];

    public override JudgeIdentity Identity { get; } = new("brightness", "test", "1", HarmCategory.Shocking, 0.5, "none", []);

    public override HarmCategory Category => HarmCategory.Shocking;

    protected override Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken)
    {
        BatchSizes.Add(images.Count);
        return Task.FromResult<IReadOnlyList<JudgeVerdict>>(images.Select(i =>
        {
            var score = i.Pixels.Average(p => (double)p) / 255;
            return new JudgeVerdict("brightness", HarmCategory.Shocking, new Dictionary<string, double>(), score, Decide(score), Threshold);
        }).ToArray());
    }
}
