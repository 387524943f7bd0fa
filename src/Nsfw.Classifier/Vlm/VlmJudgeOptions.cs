using Probe.Judging;
using Probe.Judging.Chat;

namespace Probe.Nsfw.Classifier.Vlm;

/// <summary>Settings of a vision-LLM judge.</summary>
public sealed record VlmJudgeOptions
{
    /// <summary>The model name sent to the endpoint (e.g. "gpt-4o-mini", "Qwen/Qwen2-VL-7B-Instruct", "llava").</summary>
    public required string Model { get; init; }

    /// <summary>Base URL of the OpenAI-compatible API, for identity and messages (e.g. http://localhost:8000/v1).</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The category to judge; <see cref="HarmCategory.Any"/> asks about every category at once.</summary>
    public HarmCategory Category { get; init; } = HarmCategory.Sexual;

    public VlmAnswerMode Mode { get; init; } = VlmAnswerMode.Score;

    public double Threshold { get; init; } = 0.5;

    /// <summary>Attempts, backoff, time per request, concurrency and rate of the requests to the endpoint.</summary>
    public ChatRequestPolicy Policy { get; init; } = new();

    /// <summary>Folder of the answer cache; null = no cache.</summary>
    public string? CacheFolder { get; init; }

    /// <summary>Ask the endpoint for a JSON object (response_format json_object); turn off for servers that reject it.</summary>
    public bool RequestJsonFormat { get; init; } = true;

    public int MaxOutputTokens { get; init; } = 300;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Model)) throw new ArgumentException("a VLM judge needs a model name");
        if (!(Threshold >= 0 && Threshold <= 1)) throw new ArgumentException($"threshold {Threshold} must lie in [0,1]");
        Policy.Validate();
    }
}
