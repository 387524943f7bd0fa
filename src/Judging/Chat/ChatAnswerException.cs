namespace Probe.Judging.Chat;

/// <summary>A model's answer is not what the rubric asks for (not JSON, a missing key, a value out of range); retried.</summary>
public sealed class ChatAnswerException(string problem, string raw) : Exception(problem)
{
    /// <summary>The answer as received.</summary>
    public string Raw { get; } = raw;
}
