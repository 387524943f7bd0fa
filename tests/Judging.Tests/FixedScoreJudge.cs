using Probe.Core.Images;
using Probe.Judging;

namespace Probe.Tests.Support;

/// <summary>A judge that gives each image the next score of a fixed list (for combination tests).</summary>
public sealed class FixedScoreJudge(string name, HarmCategory category, double threshold, params double[] scores) : ImageJudge(threshold)
{
    public bool Disposed { get; private set; }

    public override JudgeIdentity Identity { get; } = new(name, "fixed", "1", category, threshold, "none", []);

    public override HarmCategory Category => category;

    protected override Task<IReadOnlyList<JudgeVerdict>> JudgeCoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<JudgeVerdict>>(images.Select((_, i) =>
            new JudgeVerdict(name, category, new Dictionary<string, double> { ["score"] = scores[i] }, scores[i], Decide(scores[i]), Threshold)).ToArray());

    protected override void Dispose(bool disposing) => Disposed = true;
}
