using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Probe.Llm.Tokenizers;

/// <summary>
/// A tokenizer.json regex run with the code-point semantics of the engine tokenizers uses (Oniguruma, tokenizers 0.21
/// <c>utils::onig</c>). .NET's Regex sees UTF-16 units: an emoji or a CJK Ext. B ideograph is two surrogates of
/// category Cs, so <c>\p{L}</c> or <c>[^\s\p{L}\p{N}]</c> would split or misclassify it. Before matching, every astral
/// code point is therefore replaced by one BMP stand-in of the same general category, and match positions are mapped
/// back. A stand-in only differs from the real character for patterns that name astral characters literally.
/// </summary>
internal sealed class CodePointRegex
{
    static readonly Lazy<Dictionary<UnicodeCategory, char>> StandIns = new(FindStandIns);

    readonly Regex _regex;

    public CodePointRegex(string pattern, string file, string where)
    {
        try
        {
            _regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            throw new Core.Tokenizers.TokenizerFormatException(file, $"{where}: regex '{pattern}' is not supported ({e.Message})", e);
        }
    }

    /// <summary>The non-empty matches, as (start, end) UTF-16 offsets into <paramref name="text"/>, left to right.</summary>
    public List<(int Start, int End)> Matches(string text)
    {
        var result = new List<(int, int)>();
        if (!HasSurrogates(text))
        {
            for (var m = _regex.Match(text); m.Success; m = m.NextMatch())
                if (m.Length > 0) result.Add((m.Index, m.Index + m.Length));
            return result;
        }

        var proxy = new StringBuilder(text.Length);
        var offsets = new List<int>(text.Length + 1);   // proxy index -> text index
        for (var i = 0; i < text.Length;)
        {
            offsets.Add(i);
            if (Rune.TryGetRuneAt(text, i, out var rune) && rune.IsBmp is false)
            {
                proxy.Append(StandIns.Value.GetValueOrDefault(Rune.GetUnicodeCategory(rune), '\uFFFD'));
                i += 2;
            }
            else
            {
                proxy.Append(text[i]);
                i++;
            }
        }
        offsets.Add(text.Length);
        for (var m = _regex.Match(proxy.ToString()); m.Success; m = m.NextMatch())
            if (m.Length > 0) result.Add((offsets[m.Index], offsets[m.Index + m.Length]));
        return result;
    }

    public string Replace(string text, string replacement)
    {
        var sb = new StringBuilder(text.Length);
        var last = 0;
        foreach (var (start, end) in Matches(text))
        {
            sb.Append(text, last, start - last).Append(replacement);
            last = end;
        }
        return sb.Append(text, last, text.Length - last).ToString();
    }

    static bool HasSurrogates(string s)
    {
        foreach (var c in s)
            if (char.IsSurrogate(c)) return true;
        return false;
    }

    // One BMP character per general category, taken from blocks that tokenizer patterns do not name (Yi, Lisu,
    // Vai, ... from U+A000 upwards first), so a stand-in matches exactly the classes its original would.
    static Dictionary<UnicodeCategory, char> FindStandIns()
    {
        var map = new Dictionary<UnicodeCategory, char>();
        foreach (var range in new[] { (0xA000, 0xD7FF), (0xE000, 0xFFFD), (0x0100, 0x9FFF) })
            for (var c = range.Item1; c <= range.Item2; c++)
            {
                var cat = CharUnicodeInfo.GetUnicodeCategory((char)c);
                if (cat is UnicodeCategory.Surrogate || char.IsWhiteSpace((char)c)) continue;
                map.TryAdd(cat, (char)c);
            }
        return map;
    }
}

/// <summary>The character classes of Rust's <c>char</c> that tokenizers 0.21 relies on, on code points.</summary>
internal static class RustChar
{
    /// <summary><c>char::is_whitespace</c>: the Unicode White_Space property.</summary>
    public static bool IsWhitespace(int c) => c is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    /// <summary><c>char::is_numeric</c>: general categories Nd, Nl and No.</summary>
    public static bool IsNumeric(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;

    /// <summary><c>char::is_alphanumeric</c> or '_': what added tokens' <c>single_word</c> treats as a word character.</summary>
    public static bool IsWordChar(Rune r) => r.Value == '_' || Rune.IsLetter(r) || IsNumeric(r);

    /// <summary>The code points of <paramref name="s"/>, each with its UTF-16 start offset (lone surrogates as U+FFFD).</summary>
    public static IEnumerable<(int Index, Rune Rune)> Runes(string s)
    {
        for (var i = 0; i < s.Length;)
        {
            if (!Rune.TryGetRuneAt(s, i, out var r)) r = Rune.ReplacementChar;
            yield return (i, r);
            i += char.IsSurrogatePair(s, i) ? 2 : 1;
        }
    }
}
