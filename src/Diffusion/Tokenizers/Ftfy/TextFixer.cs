namespace Probe.Diffusion.Tokenizers.Ftfy;

/// <summary>
/// <c>ftfy.fix_text</c> with ftfy 6.1.1's default configuration, as CLIPTokenizer applies it to every piece of a
/// prompt. The text is fixed line by line; within a line the fixes run in ftfy's order until the text stops changing:
/// HTML entities (only while no '&lt;' has been seen, since a '&lt;' means the input is real HTML) → mojibake →
/// C1 controls → Latin ligatures → character width → curly quotes → line breaks → surrogates → terminal escapes →
/// control characters → NFC.
/// </summary>
public static class TextFixer
{
    /// <summary>ftfy's max_decode_length: longer lines are fixed in pieces of this many characters.</summary>
    const int MaxSegmentLength = 1_000_000;

    public static string FixText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return text;

        var output = new System.Text.StringBuilder(text.Length);
        var unescapeHtml = true;
        var pos = 0;
        while (pos < text.Length)
        {
            var end = text.IndexOf('\n', pos) + 1;
            if (end == 0) end = text.Length;
            if (end - pos > MaxSegmentLength)
            {
                end = pos + MaxSegmentLength;
                // Python counts code points; never cut a surrogate pair in two.
                if (char.IsLowSurrogate(text[end])) end--;
            }
            var segment = text[pos..end];
            // Once a line holds '<', ftfy stops decoding entities for the rest of the text.
            if (unescapeHtml && segment.Contains('<')) unescapeHtml = false;
            output.Append(FixSegment(segment, unescapeHtml));
            pos = end;
        }
        return output.ToString();
    }

    static string FixSegment(string text, bool unescapeHtml)
    {
        while (true)
        {
            var original = text;
            if (unescapeHtml) text = HtmlEntities.Unescape(text);
            text = EncodingFixer.FixEncoding(text);
            text = CharacterFixes.FixC1Controls(text);
            text = CharacterFixes.FixLatinLigatures(text);
            text = CharacterFixes.FixCharacterWidth(text);
            text = CharacterFixes.UncurlQuotes(text);
            text = CharacterFixes.FixLineBreaks(text);
            text = CharacterFixes.FixSurrogates(text);
            text = CharacterFixes.RemoveTerminalEscapes(text);
            text = CharacterFixes.RemoveControlChars(text);
            text = UnicodeNormalization.Nfc(text);
            if (text == original) return text;
        }
    }
}
