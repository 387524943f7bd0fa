using System.Globalization;
using System.Text;
using Probe.Core.Tokenizers;

namespace Probe.Diffusion.Tokenizers;

/// <summary>
/// CLIP's pre-tokenizer, the regular expression
/// <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>
/// (Python <c>regex</c>, IGNORECASE) as <c>findall</c> applies it: at each position the first alternative that matches
/// wins, a letter run or a run of other symbols is taken greedily (so a contraction right after punctuation is part of
/// the punctuation run), every digit is its own piece, and whitespace separates pieces.
/// </summary>
/// <remarks>
/// Written as a scanner over code points rather than a .NET <c>Regex</c>: .NET matches UTF-16 units, so a letter
/// outside the BMP (𝐀, 𠀀) would fall into the "other symbols" class, where Python puts it with the letters.
/// </remarks>
internal static class ClipPreTokenizer
{
    static readonly string[] Markers = ["<|startoftext|>", "<|endoftext|>"];
    static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    /// <summary>The pieces of <paramref name="text"/> (already ftfy-fixed, whitespace-collapsed and lowercased).</summary>
    public static List<string> Split(string text)
    {
        var pieces = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var rune = RuneAt(text, i);
            var kind = Classify(rune);
            if (kind == Kind.Space)
            {
                i += rune.Utf16SequenceLength;
                continue;
            }

            var literal = MatchLiteral(text, i);
            if (literal > 0)
            {
                pieces.Add(text.Substring(i, literal));
                i += literal;
                continue;
            }

            var start = i;
            i += rune.Utf16SequenceLength;
            if (kind != Kind.Number)
            {
                // Letters and other symbols both run greedily over their own class.
                while (i < text.Length)
                {
                    var next = RuneAt(text, i);
                    if (Classify(next) != kind) break;
                    i += next.Utf16SequenceLength;
                }
            }
            pieces.Add(text[start..i]);
        }
        return pieces;
    }

    enum Kind { Letter, Number, Other, Space }

    static Kind Classify(Rune rune)
    {
        if (PythonString.IsSpace(rune.Value)) return Kind.Space;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
            _ => Kind.Other,
        };
    }

    // The literal alternatives, compared case-insensitively as the reference's IGNORECASE does. After lowercasing, the
    // only character that still differs from its ASCII form yet matches is 'ſ' (U+017F), which case-folds to 's'.
    static int MatchLiteral(string text, int at)
    {
        var c = text[at];
        if (c == '<')
        {
            foreach (var marker in Markers)
                if (MatchesIgnoringCase(text, at, marker)) return marker.Length;
        }
        else if (c == '\'')
        {
            foreach (var contraction in Contractions)
                if (MatchesIgnoringCase(text, at, contraction)) return contraction.Length;
        }
        return 0;
    }

    static bool MatchesIgnoringCase(string text, int at, string literal)
    {
        if (at + literal.Length > text.Length) return false;
        for (var k = 0; k < literal.Length; k++)
        {
            var c = text[at + k];
            var l = literal[k];
            if (c == l || char.ToLowerInvariant(c) == l || (l == 's' && c == 'ſ')) continue;
            return false;
        }
        return true;
    }

    // A lone surrogate (which ftfy has already replaced) is treated as one "other" symbol rather than failing.
    static Rune RuneAt(string text, int i) => Rune.TryGetRuneAt(text, i, out var r) ? r : new Rune('\uFFFD');
}
