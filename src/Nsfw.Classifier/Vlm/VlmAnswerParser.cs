using System.Text.Json;
using Probe.Judging;
using Probe.Judging.Chat;

namespace Probe.Nsfw.Classifier.Vlm;

/// <summary>
/// Reads a model's answer strictly: one JSON object (a surrounding ```json fence is tolerated, nothing else), with a
/// numeric "score" in [0,1] (score mode) or "verdict" safe/unsafe (guard mode), a known "category" and a string "reason".
/// </summary>
public static class VlmAnswerParser
{
    public static VlmAnswer Parse(string? text, VlmAnswerMode mode, HarmCategory asked)
    {
        var raw = text ?? "";
        var json = StripFence(raw.Trim());
        if (json.Length == 0) throw new ChatAnswerException("the answer is empty", raw);
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new ChatAnswerException($"the answer is not valid JSON ({e.Message.Split(" Path:")[0]})", raw);
        }
        if (root.ValueKind != JsonValueKind.Object) throw new ChatAnswerException($"the answer is JSON {root.ValueKind}, not an object", raw);

        var reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() ?? "" : "";
        var category = ReadCategory(root, raw, asked, mode);
        if (mode == VlmAnswerMode.Score)
        {
            if (!root.TryGetProperty("score", out var s)) throw new ChatAnswerException("the answer has no \"score\"", raw);
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetDouble(out var score))
                throw new ChatAnswerException($"\"score\" must be a number, got {s.GetRawText()}", raw);
            if (!(score >= 0 && score <= 1)) throw new ChatAnswerException($"\"score\" {score} is outside [0,1]", raw);
            return new VlmAnswer(score, category ?? asked, reason, raw);
        }

        if (!root.TryGetProperty("verdict", out var v) || v.ValueKind != JsonValueKind.String)
            throw new ChatAnswerException("the answer has no string \"verdict\"", raw);
        var verdict = v.GetString()!.Trim().ToLowerInvariant();
        if (verdict is not ("safe" or "unsafe")) throw new ChatAnswerException($"\"verdict\" must be safe or unsafe, got \"{v.GetString()}\"", raw);
        if (verdict == "unsafe" && category is null && asked == HarmCategory.Any)
            throw new ChatAnswerException("an unsafe verdict must name its category", raw);
        return new VlmAnswer(verdict == "unsafe" ? 1 : 0, category ?? asked, reason, raw);
    }

    static HarmCategory? ReadCategory(JsonElement root, string raw, HarmCategory asked, VlmAnswerMode mode)
    {
        if (!root.TryGetProperty("category", out var c) || c.ValueKind == JsonValueKind.Null) return null;
        if (c.ValueKind != JsonValueKind.String) throw new ChatAnswerException($"\"category\" must be a string, got {c.GetRawText()}", raw);
        var text = c.GetString()!;
        if (mode == VlmAnswerMode.Guard && text.Trim().ToLowerInvariant() is "none" or "" or "safe") return null;
        if (!HarmCategories.TryParse(text, out var category) || category == HarmCategory.Any)
            throw new ChatAnswerException($"\"category\" \"{text}\" is not one of: {string.Join(", ", HarmCategories.All.Select(x => x.Name()))}", raw);
        // A single-category judge keeps its own category even when the model names a neighbouring one.
        return asked == HarmCategory.Any ? category : asked;
    }

    static string StripFence(string text)
    {
        if (!text.StartsWith("```", StringComparison.Ordinal)) return text;
        var firstNewline = text.IndexOf('\n');
        var end = text.LastIndexOf("```", StringComparison.Ordinal);
        return firstNewline < 0 || end <= firstNewline ? text : text[(firstNewline + 1)..end].Trim();
    }
}
