using System.Text;
using System.Text.RegularExpressions;

namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// ftfy's mojibake heuristic (<c>ftfy.badness.is_bad</c>): text is "bad" when it contains one of the character
/// sequences that are far likelier to come from UTF-8 misread as a single-byte encoding than from real writing, such
/// as a lowercase accented letter followed by a currency sign. The character classes and sequences are ftfy 6.1.1's.
/// </summary>
internal static class Badness
{
    // The ~400 characters that occur in UTF-8 mojibake, grouped as ftfy groups them (as regex class contents).
    internal const string Common = "\u00A0\u00AD·´–—―…’";
    internal const string C1 = "\u0080-\u009F";
    internal const string Bad = "¦¤¨¬¯¶§¸ƒˆˇ˘˛˜†‡‰⌐◊\uFFFDªº";
    internal const string Currency = "¢£¥₧€";
    internal const string StartPunctuation = "¡«¿©΄΅‘‚“„•‹\uF8FF";
    internal const string EndPunctuation = "®»˝”›™";
    internal const string Numeric = "²³¹±¼½¾×µ÷⁄∂∆∏∑√∞∩∫≈≠≡≤≥№";
    internal const string Kaomoji = "Ò-ÖÙ-Üò-öø-üŐ°";
    internal const string UpperAccented = "À-ÑØÜÝĂĄĆČĎĐĘĚĞİĹĽŁŃŇŒŘŚŞŠŢŤŮŰŸŹŻŽҐ";
    internal const string LowerAccented = "ßà-ñăąćčďđęěğĺľłœŕśşšťüźżžґﬁﬂ";
    internal const string UpperCommon = "ÞΑ-ΩΆΈΉΊΌΎΏΪΫЁ-Я";
    internal const string LowerCommon = "α-ωάέήίΰа-џ";
    internal const string Box = "│┌┐┘├┤┬┼═-╬▀▄█▌▐░▒▓";

    // Python's \s (str.isspace) and \w (letters, numbers, underscore), which differ from .NET's classes.
    const string Space = @"[\t-\r\x1C-\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]";
    const string Word = @"[\p{L}\p{N}_]";

    static readonly Regex Pattern = new(string.Join("|",
    [
        $"[{C1}]",
        $"[{Bad}{LowerAccented}{UpperAccented}{Box}{StartPunctuation}{EndPunctuation}{Currency}{Numeric}][{Bad}]",
        $"[a-zA-Z][{LowerCommon}{UpperCommon}][{Bad}]",
        $"[{Bad}][{LowerAccented}{UpperAccented}{Box}{StartPunctuation}{EndPunctuation}{Currency}{Numeric}]",
        $"[{LowerAccented}{LowerCommon}{Box}{EndPunctuation}{Currency}{Numeric}][{UpperAccented}]",
        $"[{Box}{EndPunctuation}{Currency}{Numeric}][{LowerAccented}]",
        // ftfy leaves out [upper_accented][currency] on its own: it is used in leetspeak-like writing.
        $"[{LowerAccented}{Box}{EndPunctuation}][{Currency}]",
        $"{Space}[{UpperAccented}][{Currency}]",
        $"[{UpperAccented}{Box}][{Numeric}]",
        $"[{LowerAccented}{UpperAccented}{Box}{Currency}{EndPunctuation}][{StartPunctuation}][{Numeric}]",
        $"[{LowerAccented}{UpperAccented}{Currency}{Numeric}{Box}][{EndPunctuation}][{StartPunctuation}]",
        $"[{Currency}{Numeric}{Box}][{StartPunctuation}]",
        $"[a-z][{UpperAccented}][{StartPunctuation}{Currency}]",
        $"[{Box}][{Kaomoji}]",
        $"[{LowerAccented}{UpperAccented}{Currency}{Numeric}{StartPunctuation}{EndPunctuation}][{Box}]",
        $"[{Box}][{EndPunctuation}]",
        $"[{LowerAccented}{UpperAccented}][{EndPunctuation}]{Word}",
        // The ligature œ when not followed by an unaccented Latin letter.
        "[Œœ][^A-Za-z]",
        // Common Windows-1252 two-character mojibake not covered above.
        $"[ÂÃÎÐ][€Šš¢£Ÿž\\xA0\\xAD®©°·»{StartPunctuation}{EndPunctuation}–—´]",
        "×[²³]",
        // Windows-1252 mojibake of Arabic, which needs the 'common' characters, so four characters are required.
        $"[ØÙ][{Common}{Currency}{Bad}{Numeric}{StartPunctuation}ŸŠ®°µ»][ØÙ][{Common}{Currency}{Bad}{Numeric}{StartPunctuation}ŸŠ®°µ»]",
        // Windows-1252 starts of three-byte sequences of South Asian scripts.
        "à[²µ¹¼½¾]",
        // MacRoman mojibake.
        "√[±∂†≠®™´≤≥¥µø]",
        "≈[°¢]",
        "‚Ä[ìîïòôúùû†°¢π]",
        "‚[âó][àä°ê]",
        // Windows-1251 mojibake of the U+2000 range, of Latin-1 and of Cyrillic.
        "вЂ",
        $"[ВГРС][{C1}{Bad}{StartPunctuation}{EndPunctuation}{Currency}°µ][ВГРС]",
        "ГўВЂВ.[A-Za-z ]",
        // Windows-1252 encodings of 'à', 'á' and of U+00A0 itself.
        "Ã[\\xA0¡]",
        $"[a-z]{Space}?[ÃÂ][ ]",
        "^[ÃÂ][ ]",
        // Â before a character that it encodes together with, when that character is common enough.
        $"[a-z.,?!{EndPunctuation}]Â[ {StartPunctuation}{EndPunctuation}]",
        // Windows-1253 mojibake of the U+2000 range, of Latin-1 and of Greek.
        "β€[™\\xA0Ά\\xAD®°]",
        $"[ΒΓΞΟ][{C1}{Bad}{StartPunctuation}{EndPunctuation}{Currency}°][ΒΓΞΟ]",
    ]), RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="text"/> looks like it contains mojibake.</summary>
    public static bool IsBad(string text) => Pattern.IsMatch(ProjectAstral(text));

    // Python matches code points, .NET regex UTF-16 units. No class here holds a character above U+FFFF, so each one
    // (and each lone surrogate) is replaced by a BMP stand-in of the same kind for '.' and \w: '一' for letters and
    // numbers, '☃' for anything else. Neither occurs in any class, so only the count and the kind of character matter.
    static string ProjectAstral(string text)
    {
        var first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0) return text;
        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c))
            {
                sb.Append(c);
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(char.IsLetter(text, i) || char.IsNumber(text, i) ? '一' : '☃');
                i++;
                continue;
            }
            sb.Append('☃');
        }
        return sb.ToString();
    }
}
