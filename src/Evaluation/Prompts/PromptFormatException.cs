using Probe.Core;
namespace Probe.Evaluation.Prompts;

/// <summary>A prompt file cannot be used at all (unreadable, no prompt column, duplicate ids); names the file and line.</summary>
public sealed class PromptFormatException(string message) : ProbeException(message);
