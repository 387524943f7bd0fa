using System.Text.Json;
using Probe.Core.Tokenizers;

namespace Probe.Llm.Tokenizers;

/// <summary>
/// Reads the parts of one tokenizer.json (tokenizers 0.21 serde schema) and reports anything missing, mistyped or
/// unknown as a <see cref="TokenizerFormatException"/> naming the file and the JSON path.
/// </summary>
internal sealed class TokenizerJson(string file)
{
    public string File { get; } = file;

    public TokenizerFormatException Error(string where, string problem) => new(File, $"{where}: {problem}");

    public TokenizerFormatException Unknown(string where, string type, string supported) =>
        Error(where, $"type '{type}' is not supported (supported: {supported})");

    public string Type(JsonElement component, string where)
    {
        if (component.ValueKind != JsonValueKind.Object)
            throw Error(where, $"expected an object with a \"type\", found {component.ValueKind}");
        return String(component, "type", where);
    }

    public JsonElement Property(JsonElement obj, string name, string where) =>
        obj.TryGetProperty(name, out var v) ? v : throw Error(where, $"\"{name}\" is missing");

    public string String(JsonElement obj, string name, string where)
    {
        var v = Property(obj, name, where);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Error($"{where}.{name}", $"expected a string, found {v.ValueKind}");
    }

    public string? OptionalString(JsonElement obj, string name, string where)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw Error($"{where}.{name}", $"expected a string or null, found {v.ValueKind}");
    }

    public bool Bool(JsonElement obj, string name, string where, bool? fallback = null)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return fallback ?? throw Error(where, $"\"{name}\" is missing");
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"{where}.{name}", $"expected true or false, found {v.ValueKind}"),
        };
    }

    public int Int(JsonElement obj, string name, string where, int? fallback = null)
    {
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return fallback ?? throw Error(where, $"\"{name}\" is missing");
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Error($"{where}.{name}", $"expected an integer, found {v.GetRawText()}");
    }

    public JsonElement Array(JsonElement obj, string name, string where)
    {
        var v = Property(obj, name, where);
        return v.ValueKind == JsonValueKind.Array ? v : throw Error($"{where}.{name}", $"expected a list, found {v.ValueKind}");
    }

    /// <summary>A <c>{"String": s}</c> or <c>{"Regex": r}</c> pattern as a regex (a string matches literally).</summary>
    public CodePointRegex Pattern(JsonElement obj, string name, string where)
    {
        var p = Property(obj, name, where);
        if (p.ValueKind == JsonValueKind.Object)
        {
            if (p.TryGetProperty("String", out var s) && s.ValueKind == JsonValueKind.String)
                return new CodePointRegex(System.Text.RegularExpressions.Regex.Escape(s.GetString()!), File, $"{where}.{name}");
            if (p.TryGetProperty("Regex", out var r) && r.ValueKind == JsonValueKind.String)
                return new CodePointRegex(r.GetString()!, File, $"{where}.{name}");
        }
        throw Error($"{where}.{name}", $"expected {{\"String\": ...}} or {{\"Regex\": ...}}, found {p.GetRawText()}");
    }
}
