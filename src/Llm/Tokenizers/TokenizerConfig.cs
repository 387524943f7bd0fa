using System.Text.Json;
using Probe.Core.Tokenizers;

namespace Probe.Llm.Tokenizers;

/// <summary>
/// What transformers reads from tokenizer_config.json next to tokenizer.json: the special tokens (a string, or an
/// AddedToken object <c>{"content": ...}</c>), <c>clean_up_tokenization_spaces</c> and the chat template, which newer
/// transformers writes to chat_template.jinja instead (that file wins, as in transformers' loading).
/// </summary>
internal sealed record TokenizerConfig(IReadOnlyDictionary<string, string> SpecialTokens, IReadOnlyList<string> AdditionalSpecialTokens,
    bool CleanUpTokenizationSpaces, string? ChatTemplate)
{
    static readonly string[] SpecialKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    public static TokenizerConfig Load(string dir)
    {
        var path = Path.Combine(dir, "tokenizer_config.json");
        var jinja = Path.Combine(dir, "chat_template.jinja");
        var template = File.Exists(jinja) ? File.ReadAllText(jinja) : null;
        if (!File.Exists(path)) return new TokenizerConfig(new Dictionary<string, string>(), [], false, template);

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, $"is not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new TokenizerFormatException(path, $"expected an object, found {root.ValueKind}");
            var specials = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in SpecialKeys)
                if (root.TryGetProperty(key, out var v) && TokenContent(v, path, key) is { } content)
                    specials[key] = content;

            var additional = new List<string>();
            if (root.TryGetProperty("additional_special_tokens", out var extra) && extra.ValueKind != JsonValueKind.Null)
            {
                if (extra.ValueKind != JsonValueKind.Array)
                    throw new TokenizerFormatException(path, $"additional_special_tokens: expected a list, found {extra.ValueKind}");
                var i = 0;
                foreach (var t in extra.EnumerateArray())
                    additional.Add(TokenContent(t, path, $"additional_special_tokens[{i++}]")
                        ?? throw new TokenizerFormatException(path, $"additional_special_tokens[{i - 1}] is null"));
            }

            var cleanUp = root.TryGetProperty("clean_up_tokenization_spaces", out var c) && c.ValueKind == JsonValueKind.True;
            return new TokenizerConfig(specials, additional, cleanUp, template ?? ChatTemplateOf(root, path));
        }
    }

    static string? TokenContent(JsonElement v, string path, string key) => v.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Object when v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
        _ => throw new TokenizerFormatException(path, $"{key}: expected a string or {{\"content\": ...}}, found {v.GetRawText()}"),
    };

    // A string, or a list of {"name", "template"} from which transformers uses "default" when no name is asked for.
    static string? ChatTemplateOf(JsonElement root, string path)
    {
        if (!root.TryGetProperty("chat_template", out var t) || t.ValueKind == JsonValueKind.Null) return null;
        if (t.ValueKind == JsonValueKind.String) return t.GetString();
        if (t.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in t.EnumerateArray())
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("name", out var n) && n.GetString() == "default"
                    && entry.TryGetProperty("template", out var body) && body.ValueKind == JsonValueKind.String)
                    return body.GetString();
            return null;
        }
        throw new TokenizerFormatException(path, $"chat_template: expected a string or a list of {{name, template}}, found {t.ValueKind}");
    }
}
