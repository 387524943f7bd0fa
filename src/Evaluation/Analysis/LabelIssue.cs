namespace Probe.Evaluation.Analysis;

/// <summary>A labels.csv row that was skipped, and why (line 0: about the file as a whole).</summary>
public sealed record LabelIssue(int Line, string Problem);
