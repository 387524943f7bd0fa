namespace Probe.Judges.Vlm;

/// <summary>A vision-LLM judge could not get a valid answer; the message names the endpoint, the model, the image and why.</summary>
public sealed class VlmJudgeException(string message, Exception? inner = null) : Exception(message, inner);
