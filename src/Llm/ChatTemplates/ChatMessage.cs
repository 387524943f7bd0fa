using System.Text.Json.Nodes;

namespace Probe.Llm.ChatTemplates;

/// <summary>
/// One conversation message as the template sees it: a JSON object with <c>role</c> and <c>content</c> and any other
/// field a template may read (<c>reasoning_content</c>, <c>tool_calls</c>, <c>name</c>, list-of-parts content, …).
/// </summary>
public sealed class ChatMessage
{
    public ChatMessage(JsonObject fields) => Fields = fields ?? throw new ArgumentNullException(nameof(fields));

    public JsonObject Fields { get; }

    public string? Role => Fields["role"]?.GetValue<string>();

    public static ChatMessage Of(string role, string content) => new(new JsonObject { ["role"] = role, ["content"] = content });

    /// <summary>Every element of a JSON array of message objects.</summary>
    public static IReadOnlyList<ChatMessage> ListFrom(JsonArray messages) =>
        [.. messages.Select((m, i) => new ChatMessage(m as JsonObject ?? throw new ArgumentException($"message {i} is not a JSON object", nameof(messages))))];
}
