using Probe.Core;

namespace Probe.Judging.Chat;

/// <summary>A chat judge could not get a valid answer; the message names the endpoint, the model, the item and why.</summary>
public sealed class ChatJudgeException(string message, Exception? inner = null) : ProbeException(message, inner);
