using Probe.Judging.Chat;

namespace Probe.Judging.Text;

/// <summary>Settings of an LLM judge of answers behind an OpenAI-compatible endpoint.</summary>
public sealed record EndpointTextJudgeOptions
{
    /// <summary>The model name sent to the endpoint (e.g. "gpt-4.1", "meta-llama/Llama-Guard-3-8B").</summary>
    public required string Model { get; init; }

    /// <summary>Base URL of the OpenAI-compatible API (e.g. http://localhost:8000/v1).</summary>
    public required Uri Endpoint { get; init; }

    public double Threshold { get; init; } = 0.5;

    /// <summary>Attempts, backoff, time per request, concurrency and rate of the requests.</summary>
    public ChatRequestPolicy Policy { get; init; } = new();

    /// <summary>Folder of the answer cache; null = no cache.</summary>
    public string? CacheFolder { get; init; }

    /// <summary>Ask for a JSON object when the rubric wants one; turn off for servers that reject response_format.</summary>
    public bool RequestJsonFormat { get; init; } = true;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException("an LLM judge needs a model name");
        if (!(Threshold >= 0 && Threshold <= 1)) throw new ArgumentException($"threshold {Threshold} must lie in [0,1]");
        Policy.Validate();
    }
}
