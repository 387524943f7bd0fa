
using Probe.Evaluation.Statistics;

namespace Probe.Evaluation.Analysis;

/// <summary>One decider's (a judge's, or the combined decision's) agreement with the matched human labels.</summary>
/// <param name="Unscored">Labelled samples this judge did not score (not in <see cref="Agreement"/>).</param>
public sealed record DeciderAgreement(string Decider, Agreement Agreement, int Unscored);
