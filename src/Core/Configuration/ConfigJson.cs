using System.Text.Json;

namespace Probe.Core.Configuration;

/// <summary>
/// Typed reads from a diffusers/transformers <c>config.json</c>. Keys are the library's snake_case names; a missing
/// key or JSON null takes the library's default. Values of the wrong type are errors naming the file and key.
/// </summary>
public sealed class ConfigJson
{
    readonly JsonElement _root;

    public ConfigJson(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new ConfigException(source, null, $"must be a JSON object, found {root.ValueKind}");
        _root = root;
        Source = source;
    }

    public string Source { get; }

    public static ConfigJson Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException(path, null, "file not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions
            {
                MaxDepth = 32, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip,
            });
            return new ConfigJson(doc.RootElement.Clone(), path);
        }
        catch (JsonException e)
        {
            throw new ConfigException(path, null, $"is not valid JSON ({e.Message})", e);
        }
    }

    public bool Has(string key) => _root.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    public string? String(string key, string? fallback = null)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Wrong(key, "a string", v);
    }

    public int Int(string key, int fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Wrong(key, "an integer", v);
    }

    public int? OptionalInt(string key) => Has(key) ? Int(key, 0) : null;

    public double Double(string key, double fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Wrong(key, "a number", v);
    }

    public bool Bool(string key, bool fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Wrong(key, "true or false", v),
        };
    }

    public int[] IntList(string key, int[] fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        if (v.ValueKind != JsonValueKind.Array) throw Wrong(key, "a list of integers", v);
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : throw Wrong(key, "a list of integers", v)).ToArray();
    }

    /// <summary>An integer or a list of integers, broadcast to <paramref name="count"/> entries (diffusers allows both).</summary>
    public int[]? IntOrList(string key, int count)
    {
        if (!TryGet(key, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var single)) return Enumerable.Repeat(single, count).ToArray();
        var list = IntList(key, []);
        if (list.Length != count) throw new ConfigException(Source, key, $"has {list.Length} entries, {count} expected (one per block)");
        return list;
    }

    public bool[] BoolOrList(string key, int count, bool fallback)
    {
        if (!TryGet(key, out var v)) return Enumerable.Repeat(fallback, count).ToArray();
        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return Enumerable.Repeat(v.GetBoolean(), count).ToArray();
        if (v.ValueKind != JsonValueKind.Array) throw Wrong(key, "a boolean or list of booleans", v);
        var list = v.EnumerateArray().Select(e => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Wrong(key, "a list of booleans", v)).ToArray();
        if (list.Length != count) throw new ConfigException(Source, key, $"has {list.Length} entries, {count} expected (one per block)");
        return list;
    }

    public string[] StringList(string key, string[] fallback)
    {
        if (!TryGet(key, out var v)) return fallback;
        if (v.ValueKind != JsonValueKind.Array) throw Wrong(key, "a list of strings", v);
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Wrong(key, "a list of strings", v)).ToArray();
    }

    /// <summary>
    /// Fails when <paramref name="key"/> is set to anything but one of <paramref name="allowed"/>. Absent or null is always
    /// accepted: it means the library default, which is what Probe implements.
    /// </summary>
    public void Require(string key, params object[] allowed)
    {
        if (!TryGet(key, out var v)) return;
        object actual = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString()!,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => v.GetDouble(),
            _ => v.GetRawText(),
        };
        foreach (var a in allowed)
            if (Equals(a, actual) || (a is int i && actual is double d && d == i)) return;
        var supported = allowed.Length == 0 ? "only null" : "null, " + string.Join(", ", allowed);
        throw new ConfigException(Source, key, $"= {v.GetRawText()} is not supported (supported: {supported})");
    }

    bool TryGet(string key, out JsonElement value) =>
        _root.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;

    ConfigException Wrong(string key, string expected, JsonElement actual) =>
        new(Source, key, $"must be {expected}, found {actual.GetRawText()}");
}
