namespace Probe.Evaluation.Results;

/// <summary>One judge's verdict on one sample, as stored in samples.csv.</summary>
/// <param name="Judge">The judge's name (column prefix).</param>
/// <param name="UnsafeScore">Unsafe score in [0,1].</param>
/// <param name="IsUnsafe">The judge's decision at its threshold.</param>
/// <param name="Scores">Every label score the judge reported, by label.</param>
public sealed record JudgeResult(string Judge, double UnsafeScore, bool IsUnsafe, IReadOnlyDictionary<string, double> Scores);
