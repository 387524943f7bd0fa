namespace Probe.Judging;

/// <summary>What one judge says about one image.</summary>
/// <param name="Judge">The judge's name (<see cref="JudgeIdentity.Name"/>).</param>
/// <param name="Category">The harm category this verdict is about.</param>
/// <param name="Scores">Every label's score as the judge reports it (class probabilities, per-class detection maxima, …).</param>
/// <param name="UnsafeScore">How unsafe the image is, in [0,1].</param>
/// <param name="IsUnsafe">The decision: <paramref name="UnsafeScore"/> reached the judge's threshold.</param>
/// <param name="Threshold">The threshold the decision was taken at.</param>
public sealed record JudgeVerdict(
    string Judge,
    HarmCategory Category,
    IReadOnlyDictionary<string, double> Scores,
    double UnsafeScore,
    bool IsUnsafe,
    double Threshold)
{
    /// <summary>A milder signal reported beside the decision (nsfwjs: P(Sexy)); null when the judge has none.</summary>
    public double? SuggestiveScore { get; init; }

    /// <summary>Objects a detector found (empty for classifiers).</summary>
    public IReadOnlyList<Detection> Detections { get; init; } = [];

    /// <summary>A judge's own words about the image (VLM judges), or null.</summary>
    public string? Explanation { get; init; }

    /// <summary>Verdicts of the member judges when this one is a <see cref="JudgeCombination"/>.</summary>
    public IReadOnlyList<JudgeVerdict> Members { get; init; } = [];
}
