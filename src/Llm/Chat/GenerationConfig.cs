using System.Text.Json;
using Probe.Llm.Models;

namespace Probe.Llm.Chat;

/// <summary>
/// A model folder's generation_config.json (transformers' GenerationConfig): the end-of-sequence ids (one or a list,
/// Llama 3 lists three), pad and bos ids, and the sampling defaults the model's authors chose. Absent keys are null.
/// </summary>
public sealed record GenerationConfig
{
    public const string FileName = "generation_config.json";

    public IReadOnlyList<long> EosTokenIds { get; init; } = [];
    public long? PadTokenId { get; init; }
    public long? BosTokenId { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public bool? DoSample { get; init; }

    /// <summary>Reads <see cref="FileName"/> in <paramref name="folder"/>; an absent file is an empty config.</summary>
    public static GenerationConfig Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return new GenerationConfig();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ModelLoadException($"{path}: not valid JSON ({e.Message})", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelLoadException($"{path}: not a JSON object");
            return new GenerationConfig
            {
                EosTokenIds = Ids(root, "eos_token_id", path),
                PadTokenId = Ids(root, "pad_token_id", path).Cast<long?>().FirstOrDefault(),
                BosTokenId = Ids(root, "bos_token_id", path).Cast<long?>().FirstOrDefault(),
                Temperature = Number(root, "temperature", path),
                TopP = Number(root, "top_p", path),
                TopK = Number(root, "top_k", path) is { } k ? (int)k : null,
                DoSample = root.TryGetProperty("do_sample", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.GetBoolean() : null,
            };
        }
    }

    static long[] Ids(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return [];
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var one)) return [one];
        if (v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out _)))
            return v.EnumerateArray().Select(e => e.GetInt64()).ToArray();
        throw new ModelLoadException($"{path}: '{key}' must be a token id or a list of token ids, found {v.GetRawText()}");
    }

    static double? Number(JsonElement root, string key, string path)
    {
        if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new ModelLoadException($"{path}: '{key}' must be a number, found {v.GetRawText()}");
    }
}
