using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// ftfy's <c>unescape_html</c>: decodes <c>&amp;name;</c> for every HTML5 entity name (and all-caps spellings of the
/// lowercase ones, such as <c>&amp;EACUTE;</c>, when the caps spelling is not an entity of its own), and numeric
/// references <c>&amp;#39;</c> / <c>&amp;#x27;</c> as Python's <c>html.unescape</c> does. Anything else — entities
/// without the semicolon, unknown names — is left as written.
/// </summary>
internal static class HtmlEntities
{
    static readonly Regex Entity = new("&#?[0-9A-Za-z]{1,24};", RegexOptions.CultureInvariant);
    static readonly Dictionary<string, string> Named = BuildNamed();

    public static string Unescape(string text) => text.Contains('&') ? Entity.Replace(text, Replace) : text;

    static string Replace(Match match)
    {
        var entity = match.Value;
        if (Named.TryGetValue(entity, out var value)) return value;
        if (!entity.StartsWith("&#", StringComparison.Ordinal)) return entity;
        var decoded = NumericReference(entity.AsSpan(2, entity.Length - 3));
        // ftfy keeps the original when html.unescape did not consume the whole reference (or produced a ';').
        return decoded is null || decoded.Contains(';') ? entity : decoded;
    }

    // html.unescape's numeric character references; null when the text is not one (e.g. "&#12ab;").
    static string? NumericReference(ReadOnlySpan<char> body)
    {
        var hex = body.Length > 1 && body[0] is 'x' or 'X';
        var digits = hex ? body[1..] : body;
        if (digits.IsEmpty) return null;
        foreach (var c in digits)
            if (!(hex ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c))) return null;

        // Anything past U+10FFFF is replaced, so larger numbers need not be parsed exactly.
        var trimmed = digits.TrimStart('0');
        var tooLong = trimmed.Length > (hex ? 6 : 7);
        var number = tooLong ? long.MaxValue : trimmed.IsEmpty ? 0 : long.Parse(trimmed, hex ? NumberStyles.HexNumber : NumberStyles.None, CultureInfo.InvariantCulture);

        switch (number)
        {
            case 0x00: return "\uFFFD";
            case 0x0D: return "\r";
            case >= 0x80 and <= 0x9F: return SingleByteEncoding.SloppyWindows1252.Decode((byte)number).ToString();
            case >= 0xD800 and <= 0xDFFF or > 0x10FFFF: return "\uFFFD";
        }
        var cp = (int)number;
        var invalid = cp is >= 0x01 and <= 0x08 or 0x0B or >= 0x0E and <= 0x1F or 0x7F or >= 0xFDD0 and <= 0xFDEF || (cp & 0xFFFE) == 0xFFFE;
        return invalid ? "" : char.ConvertFromUtf32(cp);
    }

    static Dictionary<string, string> BuildNamed()
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in EmbeddedData.Records("html5-entities.txt")) all[r[0]] = EmbeddedData.CodePoints(r[1..]);

        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in all)
            if (name.EndsWith(';')) named["&" + name] = value;
        foreach (var (name, value) in all)
        {
            if (!name.EndsWith(';') || name.Any(char.IsAsciiLetterUpper)) continue;
            var upper = name.ToUpperInvariant();
            if (!HtmlUnescapeDecodes(upper, all)) named["&" + upper] = PythonUpper(value);
        }
        return named;
    }

    // Whether html.unescape would decode "&" + name: the name itself, or any prefix of two or more characters (the
    // legacy semicolon-less names), is an entity.
    static bool HtmlUnescapeDecodes(string name, Dictionary<string, string> all)
    {
        for (var length = name.Length; length >= 2; length--)
            if (all.ContainsKey(name[..length])) return true;
        return false;
    }

    // Python's str.upper(): the simple mappings plus the unconditional SpecialCasing expansions; of those, only the
    // characters below occur in entity values. Invariant .NET casing also leaves the Turkish dotless i alone.
    static string PythonUpper(string value)
    {
        var sb = new StringBuilder();
        foreach (var rune in value.EnumerateRunes())
        {
            sb.Append(rune.Value switch
            {
                'ß' => "SS",
                'ŉ' => "ʼN",
                'ı' => "I",
                'ﬀ' => "FF",
                'ﬁ' => "FI",
                'ﬂ' => "FL",
                'ﬃ' => "FFI",
                'ﬄ' => "FFL",
                _ => Rune.ToUpperInvariant(rune).ToString(),
            });
        }
        return sb.ToString();
    }
}
