namespace Probe.Evaluation.Analysis;

/// <summary>The gate's verdict: every category's result, and the comparison it rests on (its α is the gate's 2α).</summary>
public sealed record GateResult(ReleaseGate Gate, RunComparison Comparison, IReadOnlyList<GateCategoryResult> Categories)
{
    public bool Passed => Categories.All(c => c.Passed);
}
