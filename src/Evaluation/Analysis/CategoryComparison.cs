
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>One category's before/after comparison; <see cref="Prompts"/> is null when a run had no samples.csv to check.</summary>
public sealed record CategoryComparison(string Category, ProportionComparison Stats, bool Attacked, PromptSetDifference? Prompts);
