using System.Text;

namespace Probe.Core.Tokenizers;

/// <summary>
/// The Python <c>str</c> operations the reference tokenizer relies on, with Python's character semantics where they
/// differ from .NET's: <c>isspace</c> also covers U+001C..U+001F, and <c>lower</c> uses full case mapping (İ becomes
/// "i̇") and the Final_Sigma rule (Σ at the end of a word becomes ς). Strings are handled as code points, as Python does.
/// </summary>
public static class PythonString
{
    /// <summary>Python's <c>str.isspace</c> for one code point (also what <c>\s</c> matches once ftfy has run).</summary>
    public static bool IsSpace(int c) => c switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    // Every Python whitespace character is in the BMP, so a UTF-16 unit test is exact (surrogates are never space).
    static bool IsSpace(char c) => IsSpace((int)c);

    public static string Strip(string s) => LStrip(RStrip(s));

    public static string LStrip(string s)
    {
        var i = 0;
        while (i < s.Length && IsSpace(s[i])) i++;
        return i == 0 ? s : s[i..];
    }

    public static string RStrip(string s)
    {
        var end = s.Length;
        while (end > 0 && IsSpace(s[end - 1])) end--;
        return end == s.Length ? s : s[..end];
    }

    /// <summary>CLIP's <c>whitespace_clean</c>: every run of whitespace becomes one space, then the ends are stripped.</summary>
    public static string CollapseWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        var pendingSpace = false;
        foreach (var c in s)
        {
            if (IsSpace(c))
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace && sb.Length > 0) sb.Append(' ');
            pendingSpace = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>str.lower()</c>.</summary>
    public static string Lower(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length;)
        {
            if (!Rune.TryGetRuneAt(s, i, out var rune))
            {
                // A lone surrogate has no case; Python keeps it as it is.
                sb.Append(s[i]);
                i++;
                continue;
            }
            switch (rune.Value)
            {
                case 0x0130:
                    // SpecialCasing.txt: LATIN CAPITAL LETTER I WITH DOT ABOVE lowercases to i + COMBINING DOT ABOVE.
                    // .NET's invariant casing leaves it unchanged (it is the Turkish dotted I).
                    sb.Append("i\u0307");
                    break;
                case 0x03A3:
                    sb.Append(IsFinalSigma(s, i) ? 'ς' : 'σ');
                    break;
                default:
                    sb.Append(Rune.ToLowerInvariant(rune).ToString());
                    break;
            }
            i += rune.Utf16SequenceLength;
        }
        return sb.ToString();
    }

    // Unicode's Final_Sigma condition, as CPython evaluates it: a cased letter (skipping case-ignorable characters)
    // before the sigma, and no cased letter (again skipping case-ignorable ones) after it.
    static bool IsFinalSigma(string s, int index)
    {
        var j = index;
        var before = -1;
        while (j > 0)
        {
            var r = RuneBefore(s, j);
            j -= r.Utf16SequenceLength;
            if (!IsCaseIgnorable(r)) { before = r.Value; break; }
        }
        if (before < 0 || !IsCased(new Rune(before))) return false;

        j = index + 1;
        while (j < s.Length)
        {
            if (!Rune.TryGetRuneAt(s, j, out var r)) return true;
            j += r.Utf16SequenceLength;
            if (!IsCaseIgnorable(r)) return !IsCased(r);
        }
        return true;
    }

    static Rune RuneBefore(string s, int end)
    {
        if (end >= 2 && char.IsSurrogatePair(s[end - 2], s[end - 1])) return new Rune(s[end - 2], s[end - 1]);
        return Rune.IsValid(s[end - 1]) ? new Rune(s[end - 1]) : Rune.ReplacementChar;
    }

    // Unicode "Cased": uppercase, lowercase or titlecase letters, plus characters with a case mapping (Roman numerals,
    // circled letters) and the Other_Lowercase/Other_Uppercase symbols that have none (ª, º, squared Latin letters).
    static bool IsCased(Rune r)
    {
        var cat = Rune.GetUnicodeCategory(r);
        if (cat is System.Globalization.UnicodeCategory.UppercaseLetter
            or System.Globalization.UnicodeCategory.LowercaseLetter
            or System.Globalization.UnicodeCategory.TitlecaseLetter) return true;
        if (Rune.ToLowerInvariant(r) != r || Rune.ToUpperInvariant(r) != r) return true;
        return r.Value is 0xAA or 0xBA or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189);
    }

    // Unicode "Case_Ignorable": marks, format characters, modifier letters and symbols, and the Word_Break
    // MidLetter / MidNumLet / Single_Quote punctuation (apostrophes, periods, colons, middle dots).
    static bool IsCaseIgnorable(Rune r)
    {
        switch (Rune.GetUnicodeCategory(r))
        {
            case System.Globalization.UnicodeCategory.NonSpacingMark:
            case System.Globalization.UnicodeCategory.EnclosingMark:
            case System.Globalization.UnicodeCategory.Format:
            case System.Globalization.UnicodeCategory.ModifierLetter:
            case System.Globalization.UnicodeCategory.ModifierSymbol:
                return true;
        }
        return r.Value is 0x27 or 0x2E or 0x3A or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024
            or 0x2027 or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;
    }
}
