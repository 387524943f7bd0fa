using System.Text.Json.Nodes;
using Probe.Llm.ChatTemplates;

namespace Probe.Tests.ChatTemplates;

/// <summary>
/// Every chat case of every LLM tokenizer fixture set (tests/fixtures/llm/FORMAT.md, "chat_cases"): the tokenizer's
/// tokenizer_config.json chat_template rendered with its special_tokens_map must equal transformers' output.
/// </summary>
public class ChatTemplateFixtureTests
{
    const string File = "tokenizer_tests.json";

    public static IEnumerable<TestCaseData> ChatCases()
    {
        foreach (var set in LlmFixtureSets.TokenizerSets())
        {
            var setName = LlmFixtureSets.SetName(set, File);
            var root = JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(set, File)))!;
            if (root["chat_cases"] is not JsonArray cases) continue;
            var perTokenizer = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var c in cases)
            {
                var tokenizer = c!["tokenizer"]!.GetValue<string>();
                var n = perTokenizer.GetValueOrDefault(tokenizer);
                perTokenizer[tokenizer] = n + 1;
                yield return new TestCaseData(set, tokenizer, c.ToJsonString()).SetName($"{setName}/{tokenizer}/chat[{n}]");
            }
        }
    }

    [TestCaseSource(nameof(ChatCases))]
    public void Renders_as_transformers(string setDir, string tokenizer, string caseJson)
    {
        var root = JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(setDir, File)))!;
        var tok = root["tokenizers"]![tokenizer]!;
        var configPath = Path.Combine(setDir, tok["dir"]!.GetValue<string>(), "tokenizer_config.json");
        var config = JsonNode.Parse(System.IO.File.ReadAllText(configPath))!;
        var template = ChatTemplate.Parse(config["chat_template"]!.GetValue<string>(), configPath);

        var c = JsonNode.Parse(caseJson)!;
        var specialTokens = tok["special_tokens_map"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone());
        var kwargs = c["template_kwargs"] is JsonObject kw ? kw.ToDictionary(kv => kv.Key, kv => kv.Value?.DeepClone()) : [];
        var options = new ChatTemplateOptions
        {
            AddGenerationPrompt = c["add_generation_prompt"]!.GetValue<bool>(),
            SpecialTokens = specialTokens,
            TemplateKwargs = kwargs,
        };
        var messages = ChatMessage.ListFrom(c["messages"]!.AsArray());
        RenderAssert.Exact(template.Render(messages, options), c["rendered"]!.GetValue<string>(), $"chat case {c["id"]?.GetValue<string>() ?? tokenizer}");
    }
}
