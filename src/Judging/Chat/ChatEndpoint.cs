using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Probe.Judging.Chat;

/// <summary>Chat clients for OpenAI-compatible endpoints (OpenAI, Azure OpenAI's /openai/v1, vLLM, Ollama, LM Studio …).</summary>
public static class ChatEndpoint
{
    /// <summary>Environment variables searched for the API key, in order.</summary>
    public static readonly IReadOnlyList<string> ApiKeyVariables = ["PROBE_VLM_API_KEY", "OPENAI_API_KEY"];

    /// <summary>The API key from the first set variable of <see cref="ApiKeyVariables"/>, or null.</summary>
    public static string? ApiKeyFromEnvironment() =>
        ApiKeyVariables.Select(Environment.GetEnvironmentVariable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    /// <summary>
    /// An <see cref="IChatClient"/> for <paramref name="endpoint"/> (base URL, e.g. http://localhost:8000/v1). Local servers
    /// accept any key, so a missing key is sent as "none". The SDK's own retries are off: <see cref="ChatJudgeClient"/> does its own.
    /// </summary>
    public static IChatClient CreateChatClient(Uri endpoint, string model, string? apiKey, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme is not ("http" or "https"))
            throw new ArgumentException($"endpoint '{endpoint}' must be an http:// or https:// URL", nameof(endpoint));
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = requestTimeout + TimeSpan.FromSeconds(5),
        };
        var chat = new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(string.IsNullOrWhiteSpace(apiKey) ? "none" : apiKey), clientOptions);
        return chat.AsIChatClient();
    }
}
