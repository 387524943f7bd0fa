using System.Text.Json.Nodes;

namespace Probe.Llm.ChatTemplates;

/// <summary>
/// The render context besides the messages, as transformers 4.51's <c>apply_chat_template</c> builds it:
/// <c>tools</c>, <c>documents</c>, <c>add_generation_prompt</c>, every entry of the tokenizer's special tokens map,
/// then the template kwargs (which win over special tokens of the same name).
/// </summary>
public sealed record ChatTemplateOptions
{
    public bool AddGenerationPrompt { get; init; }

    /// <summary>The tokenizer's special_tokens_map: <c>bos_token</c> → "&lt;s&gt;", <c>additional_special_tokens</c> → [...].</summary>
    public IReadOnlyDictionary<string, JsonNode?> SpecialTokens { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>Tool schemas (JSON objects); null renders as Python None, as when no tools are passed.</summary>
    public JsonArray? Tools { get; init; }

    public JsonArray? Documents { get; init; }

    /// <summary>Extra template variables, e.g. <c>enable_thinking: false</c> or <c>date_string</c>.</summary>
    public IReadOnlyDictionary<string, JsonNode?> TemplateKwargs { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>The local time <c>strftime_now</c> formats; null means <see cref="DateTime.Now"/>.</summary>
    public Func<DateTime>? Clock { get; init; }
}
