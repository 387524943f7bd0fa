using Probe.Core;

namespace Probe.Evaluation;

/// <summary>A run folder, prompt set or request the evaluation library cannot use; the message names the file and what is wrong.</summary>
public sealed class EvaluationException(string message, Exception? inner = null) : ProbeException(message, inner);
