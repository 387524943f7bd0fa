namespace Probe.Judges.Vlm;

/// <summary>The model's answer is not the JSON object the rubric asks for; the message says what is wrong.</summary>
public sealed class VlmAnswerException(string problem, string raw) : Exception(problem)
{
    /// <summary>The answer as received.</summary>
    public string Raw { get; } = raw;
}
