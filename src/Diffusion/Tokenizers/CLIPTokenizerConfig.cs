using System.Text.Json;
using Probe.Core.Tokenizers;

namespace Probe.Diffusion.Tokenizers;

/// <summary>
/// What a diffusers <c>tokenizer/</c> folder configures besides the BPE tables, resolved the way transformers 4.30.2's
/// <c>CLIPTokenizer.from_pretrained</c> resolves it: <c>tokenizer_config.json</c> gives model_max_length and the special
/// tokens, <c>special_tokens_map.json</c> (when present) overrides each special token it names, and tokens missing from
/// both take CLIPTokenizer's defaults (bos <c>&lt;|startoftext|&gt;</c>, eos/unk/pad <c>&lt;|endoftext|&gt;</c>).
/// <c>added_tokens.json</c> (textual-inversion tokenizers) appends tokens after the vocabulary.
/// </summary>
internal sealed class CLIPTokenizerConfig
{
    public const string ConfigFile = "tokenizer_config.json";
    public const string SpecialTokensFile = "special_tokens_map.json";
    public const string AddedTokensFile = "added_tokens.json";

    // transformers' SPECIAL_TOKENS_ATTRIBUTES, in its order (the order decides which AddedToken wins for one content).
    static readonly string[] SingleTokenKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];
    const string AdditionalKey = "additional_special_tokens";

    CLIPTokenizerConfig(int modelMaxLength, IReadOnlyDictionary<string, SpecialToken?> named, IReadOnlyList<SpecialToken> additional,
        IReadOnlyList<KeyValuePair<string, int>> addedTokens)
    {
        ModelMaxLength = modelMaxLength;
        Named = named;
        Additional = additional;
        AddedTokens = addedTokens;
    }

    public int ModelMaxLength { get; }

    /// <summary>bos_token … mask_token; null where the tokenizer has none.</summary>
    public IReadOnlyDictionary<string, SpecialToken?> Named { get; }

    public IReadOnlyList<SpecialToken> Additional { get; }

    /// <summary>added_tokens.json, by id.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> AddedTokens { get; }

    public SpecialToken? Bos => Named["bos_token"];
    public SpecialToken? Eos => Named["eos_token"];
    public SpecialToken? Unk => Named["unk_token"];
    public SpecialToken? Pad => Named["pad_token"];

    /// <summary>Every special token in transformers' <c>all_special_tokens_extended</c> order.</summary>
    public IEnumerable<SpecialToken> AllSpecial =>
        SingleTokenKeys.Select(k => Named[k]).OfType<SpecialToken>().Concat(Additional);

    public static CLIPTokenizerConfig Load(string directory)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        using var config = ReadJsonObject(configPath, required: true)!;
        var root = config.RootElement;

        if (!root.TryGetProperty("model_max_length", out var maxLength))
            throw new TokenizerFormatException(configPath, "has no 'model_max_length'; a Stable Diffusion tokenizer needs it (77 for CLIP)");
        if (maxLength.ValueKind != JsonValueKind.Number || !maxLength.TryGetInt32(out var modelMaxLength) || modelMaxLength < 2 || modelMaxLength > 100_000)
            throw new TokenizerFormatException(configPath, $"'model_max_length' is {maxLength.GetRawText()}, expected an integer from 2 to 100000 (77 for CLIP)");

        var named = new Dictionary<string, SpecialToken?>(StringComparer.Ordinal)
        {
            ["bos_token"] = SpecialToken.Added("<|startoftext|>"),
            ["eos_token"] = SpecialToken.Added("<|endoftext|>"),
            ["unk_token"] = SpecialToken.Added("<|endoftext|>"),
            ["sep_token"] = null,
            // CLIPTokenizer wraps bos/eos/unk defaults in AddedToken but keeps the pad default a plain string.
            ["pad_token"] = SpecialToken.Plain("<|endoftext|>"),
            ["cls_token"] = null,
            ["mask_token"] = null,
        };
        var additional = new List<SpecialToken>();
        ApplySpecialTokens(root, configPath, named, additional);

        var mapPath = Path.Combine(directory, SpecialTokensFile);
        using (var map = ReadJsonObject(mapPath, required: false))
        {
            if (map is not null) ApplySpecialTokens(map.RootElement, mapPath, named, additional);
        }

        return new CLIPTokenizerConfig(modelMaxLength, named, additional, ReadAddedTokens(Path.Combine(directory, AddedTokensFile)));
    }

    static void ApplySpecialTokens(JsonElement root, string path, Dictionary<string, SpecialToken?> named, List<SpecialToken> additional)
    {
        foreach (var key in SingleTokenKeys)
            if (root.TryGetProperty(key, out var value))
                named[key] = ParseToken(value, path, key);
        if (root.TryGetProperty(AdditionalKey, out var list))
        {
            if (list.ValueKind == JsonValueKind.Null) return;
            if (list.ValueKind != JsonValueKind.Array)
                throw new TokenizerFormatException(path, $"'{AdditionalKey}' must be a list, found {list.ValueKind}");
            additional.Clear();
            foreach (var item in list.EnumerateArray())
                additional.Add(ParseToken(item, path, AdditionalKey) ?? throw new TokenizerFormatException(path, $"'{AdditionalKey}' holds null"));
        }
    }

    static SpecialToken? ParseToken(JsonElement value, string path, string key)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return Validated(SpecialToken.Plain(value.GetString()!), path, key);
            case JsonValueKind.Object:
                if (!value.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                    throw new TokenizerFormatException(path, $"'{key}' is an object without a string 'content'");
                return Validated(SpecialToken.Added(content.GetString()!, Flag(value, "lstrip", path, key), Flag(value, "rstrip", path, key)), path, key);
            default:
                throw new TokenizerFormatException(path, $"'{key}' is {value.ValueKind}, expected a string or an AddedToken object");
        }
    }

    static SpecialToken Validated(SpecialToken token, string path, string key) =>
        token.Content.Length > 0 ? token : throw new TokenizerFormatException(path, $"'{key}' is empty");

    static bool Flag(JsonElement obj, string name, string path, string key)
    {
        if (!obj.TryGetProperty(name, out var flag)) return false;
        return flag.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new TokenizerFormatException(path, $"'{key}.{name}' is {flag.GetRawText()}, expected true or false"),
        };
    }

    static IReadOnlyList<KeyValuePair<string, int>> ReadAddedTokens(string path)
    {
        using var doc = ReadJsonObject(path, required: false);
        if (doc is null) return [];
        var tokens = new List<KeyValuePair<string, int>>();
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            if (!entry.Value.TryGetInt32(out var id) || id < 0)
                throw new TokenizerFormatException(path, $"token '{entry.Name}' has id {entry.Value.GetRawText()}, expected a non-negative integer");
            tokens.Add(new(entry.Name, id));
        }
        return tokens.OrderBy(t => t.Value).ToArray();
    }

    static JsonDocument? ReadJsonObject(string path, bool required)
    {
        if (!File.Exists(path))
        {
            if (required) throw new TokenizerFormatException(path, "file not found");
            return null;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, $"is not valid JSON ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerFormatException(path, $"cannot be read ({e.Message})", e);
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = doc.RootElement.ValueKind;
            doc.Dispose();
            throw new TokenizerFormatException(path, $"must be a JSON object, found {kind}");
        }
        return doc;
    }
}
