
namespace Probe.Evaluation.Runs;

/// <summary>Progress of an evaluation: samples finished (resumed ones included) of the total.</summary>
public readonly record struct EvalProgress(int Done, int Total, int Resumed, string Category);
