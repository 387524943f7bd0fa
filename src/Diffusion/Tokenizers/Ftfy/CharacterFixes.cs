using System.Text;
using System.Text.RegularExpressions;

namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// ftfy's character-level fixers (<c>ftfy.fixes</c>, 6.1.1), each a pure function applied in <see cref="TextFixer"/>'s
/// order: C1 controls, Latin ligatures, character width, curly quotes, line breaks, surrogates, terminal escapes,
/// control characters.
/// </summary>
internal static class CharacterFixes
{
    // ftfy's LIGATURES: Latin typographic ligatures and the digraphs that exist only for legacy encodings. Ligatures
    // such as æ that are written on purpose are left alone.
    static readonly Dictionary<char, string> Ligatures = new()
    {
        ['Ĳ'] = "IJ",
        ['ĳ'] = "ij",
        ['ŉ'] = "ʼn",
        ['Ǳ'] = "DZ",
        ['ǲ'] = "Dz",
        ['ǳ'] = "dz",
        ['Ǆ'] = "DŽ",
        ['ǅ'] = "Dž",
        ['ǆ'] = "dž",
        ['Ǉ'] = "LJ",
        ['ǈ'] = "Lj",
        ['ǉ'] = "lj",
        ['Ǌ'] = "NJ",
        ['ǋ'] = "Nj",
        ['ǌ'] = "nj",
        ['ﬀ'] = "ff",
        ['ﬁ'] = "fi",
        ['ﬂ'] = "fl",
        ['ﬃ'] = "ffi",
        ['ﬄ'] = "ffl",
        ['ﬅ'] = "ſt",
        ['ﬆ'] = "st",
    };

    static readonly Regex TerminalEscape = new(@"\x1B\[((?:\d|;)*)([a-zA-Z])", RegexOptions.CultureInvariant);

    /// <summary>C1 control characters (U+0080..U+009F) read as the Windows-1252 characters of those bytes, as browsers do.</summary>
    public static string FixC1Controls(string text) =>
        Map(text, c => c is >= '\u0080' and <= '\u009F' ? SingleByteEncoding.SloppyWindows1252.Decode((byte)c).ToString() : null);

    /// <summary>"ﬁ" → "fi" and the other entries of ftfy's ligature table.</summary>
    public static string FixLatinLigatures(string text) => Map(text, c => Ligatures.GetValueOrDefault(c));

    /// <summary>Fullwidth ASCII and halfwidth katakana/Hangul to their standard forms, and U+3000 to a space.</summary>
    public static string FixCharacterWidth(string text) => Map(text, c => UnicodeNormalization.WidthMap.GetValueOrDefault(c));

    /// <summary>Curly quotes to straight ones: U+201C..U+201F → '"', U+02BC and U+2018..U+201B → '\''.</summary>
    public static string UncurlQuotes(string text) => Map(text, c => c switch
    {
        >= '\u201C' and <= '\u201F' => "\"",
        '\u02BC' or (>= '\u2018' and <= '\u201B') => "'",
        _ => null,
    });

    /// <summary>CRLF, CR, U+2028, U+2029 and U+0085 to "\n".</summary>
    public static string FixLineBreaks(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n').Replace('\u0085', '\n');

    /// <summary>
    /// Unpaired surrogates to U+FFFD. (ftfy also joins surrogate pairs stored as two code points; a .NET string stores
    /// every character above U+FFFF as such a pair already, so that half needs no work.)
    /// </summary>
    public static string FixSurrogates(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF')) return text;
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) i++;
            else if (char.IsSurrogate(chars[i])) chars[i] = '\uFFFD';
        }
        return new string(chars);
    }

    /// <summary>ANSI terminal escapes such as colour codes (<c>ESC[36;44m</c>).</summary>
    public static string RemoveTerminalEscapes(string text) => text.Contains('\x1B') ? TerminalEscape.Replace(text, "") : text;

    /// <summary>
    /// Control characters with no visible effect: U+0000..U+0008, U+000B, U+000E..U+001F, U+007F, the deprecated
    /// Arabic format controls U+206A..U+206F, the byte-order mark U+FEFF and U+FFF9..U+FFFC. Tabs, line breaks, form
    /// feeds, joiners and bidi marks stay.
    /// </summary>
    public static string RemoveControlChars(string text) => Map(text, c => IsRemovedControl(c) ? "" : null);

    static bool IsRemovedControl(char c) => c switch
    {
        <= '\u0008' or '\u000B' or (>= '\u000E' and <= '\u001F') or '\u007F' => true,
        (>= '\u206A' and <= '\u206F') or '\uFEFF' or (>= '\uFFF9' and <= '\uFFFC') => true,
        _ => false,
    };

    // Python's str.translate: each character replaced by its mapping, or kept when it has none.
    static string Map(string text, Func<char, string?> mapping)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var replacement = mapping(text[i]);
            if (replacement is null)
            {
                sb?.Append(text[i]);
                continue;
            }
            sb ??= new StringBuilder(text.Length).Append(text, 0, i);
            sb.Append(replacement);
        }
        return sb?.ToString() ?? text;
    }
}
