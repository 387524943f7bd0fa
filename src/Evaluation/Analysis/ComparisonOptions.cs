namespace Probe.Evaluation.Analysis;

/// <summary>What <see cref="RunComparison.Of"/> compares and at which confidence.</summary>
public sealed record ComparisonOptions
{
    /// <summary>Intervals are 1 − α; the z-test is two-sided at α.</summary>
    public double Alpha { get; init; } = 0.05;
    /// <summary>Only these categories (each must be in both runs); null: all, and both runs must have the same set.</summary>
    public IReadOnlyList<string>? Categories { get; init; }
    public UnsafeDecision Decision { get; init; } = UnsafeDecision.Combined;
    /// <summary>--attacked: overrides the manifests' attack category.</summary>
    public string? Attacked { get; init; }
}
