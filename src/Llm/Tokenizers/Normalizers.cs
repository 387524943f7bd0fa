using System.Text;
using System.Text.Json;
using Probe.Llm.Tokenizers.Unicode;

namespace Probe.Llm.Tokenizers;

/// <summary>A tokenizer.json normalizer (tokenizers 0.21 <c>normalizers</c>), applied to each piece between added tokens.</summary>
internal interface INormalizer
{
    string Normalize(string text);
}

internal static class Normalizers
{
    const string Supported = "NFC, NFD, NFKC, NFKD, Lowercase, Strip, Prepend, Replace, Sequence";

    /// <summary>The normalizer <paramref name="json"/> describes; null for a JSON null.</summary>
    public static INormalizer? Read(JsonElement json, TokenizerJson file, string where)
    {
        if (json.ValueKind == JsonValueKind.Null) return null;
        var type = file.Type(json, where);
        return type switch
        {
            "NFC" => new UnicodeForm(NormalizationForm.FormC),
            "NFD" => new UnicodeForm(NormalizationForm.FormD),
            "NFKC" => new UnicodeForm(NormalizationForm.FormKC),
            "NFKD" => new UnicodeForm(NormalizationForm.FormKD),
            "Lowercase" => new Lowercase(),
            "Strip" => new Strip(file.Bool(json, "strip_left", where, false), file.Bool(json, "strip_right", where, false)),
            "Prepend" => new Prepend(file.String(json, "prepend", where)),
            "Replace" => new Replace(file.Pattern(json, "pattern", where), file.String(json, "content", where)),
            "Sequence" => new Sequence(file.Array(json, "normalizers", where).EnumerateArray()
                .Select((n, i) => Read(n, file, $"{where}.normalizers[{i}]") ?? throw file.Error($"{where}.normalizers[{i}]", "is null")).ToArray()),
            _ => throw file.Unknown(where, type, Supported),
        };
    }

    sealed class UnicodeForm(NormalizationForm form) : INormalizer
    {
        public string Normalize(string text) => UnicodeNormalizer.Normalize(text, form);
    }

    // tokenizers maps each char through Rust's char::to_lowercase: full mappings (İ -> i̇), no Final_Sigma context.
    sealed class Lowercase : INormalizer
    {
        public string Normalize(string text)
        {
            var sb = new StringBuilder(text.Length);
            foreach (var (_, r) in RustChar.Runes(text))
                sb.Append(r.Value == 0x130 ? "i\u0307" : Rune.ToLowerInvariant(r).ToString());
            return sb.ToString();
        }
    }

    sealed class Strip(bool left, bool right) : INormalizer
    {
        public string Normalize(string text)
        {
            var start = 0;
            var end = text.Length;
            if (left) while (start < end && RustChar.IsWhitespace(text[start])) start++;
            if (right) while (end > start && RustChar.IsWhitespace(text[end - 1])) end--;
            return text[start..end];
        }
    }

    // tokenizers 0.21 `normalizers::prepend`: an empty piece stays empty.
    sealed class Prepend(string prefix) : INormalizer
    {
        public string Normalize(string text) => text.Length == 0 ? text : prefix + text;
    }

    sealed class Replace(CodePointRegex pattern, string content) : INormalizer
    {
        public string Normalize(string text) => pattern.Replace(text, content);
    }

    sealed class Sequence(INormalizer[] steps) : INormalizer
    {
        public string Normalize(string text)
        {
            foreach (var s in steps) text = s.Normalize(text);
            return text;
        }
    }
}
