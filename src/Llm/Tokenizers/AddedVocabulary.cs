namespace Probe.Llm.Tokenizers;

/// <summary>
/// Cuts text around added tokens as tokenizers 0.21 <c>AddedVocabulary::find_matches</c> does: leftmost-longest matches
/// (its Aho-Corasick automaton), a <c>single_word</c> match dropped when a word character touches it, <c>lstrip</c> /
/// <c>rstrip</c> extending the match over neighbouring whitespace.
/// </summary>
internal sealed class AddedTokenMatcher
{
    readonly Dictionary<char, (string Text, AddedToken Token)[]> _byFirstChar;

    /// <param name="tokens">Each token with the text to look for (its content, normalized for normalized tokens).</param>
    public AddedTokenMatcher(IEnumerable<(string Text, AddedToken Token)> tokens)
    {
        _byFirstChar = tokens.Where(t => t.Text.Length > 0)
            .GroupBy(t => t.Text[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Text.Length).ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>The spans of <paramref name="text"/>, each with the added token it is, or null for plain text.</summary>
    public List<(int Start, int End, AddedToken? Token)> Split(string text)
    {
        var spans = new List<(int, int, AddedToken?)>();
        var done = 0;
        for (var i = 0; i < text.Length;)
        {
            if (!_byFirstChar.TryGetValue(text[i], out var candidates)) { i++; continue; }
            var match = candidates.FirstOrDefault(c => string.CompareOrdinal(text, i, c.Text, 0, c.Text.Length) == 0);
            if (match.Token is null) { i++; continue; }

            var start = i;
            var stop = i + match.Text.Length;
            i = stop;   // the automaton's iterator resumes after every match, kept or not
            var token = match.Token;
            if (token.SingleWord && (EndsWithWord(text, start) || StartsWithWord(text, stop))) continue;
            if (token.LStrip)
            {
                var s = start;
                while (s > 0 && RustChar.IsWhitespace(text[s - 1])) s--;
                start = Math.Max(s, done);   // spaces a previous match took stay with it
            }
            if (token.RStrip)
                while (stop < text.Length && RustChar.IsWhitespace(text[stop])) stop++;
            if (done < start) spans.Add((done, start, null));
            spans.Add((start, stop, token));
            done = stop;
            i = Math.Max(i, stop);
        }
        if (done < text.Length) spans.Add((done, text.Length, null));
        return spans;
    }

    static bool EndsWithWord(string text, int end)
    {
        if (end == 0) return false;
        var i = end - 1;
        if (i > 0 && char.IsSurrogatePair(text[i - 1], text[i])) i--;
        return System.Text.Rune.TryGetRuneAt(text, i, out var r) && RustChar.IsWordChar(r);
    }

    static bool StartsWithWord(string text, int start) =>
        start < text.Length && System.Text.Rune.TryGetRuneAt(text, start, out var r) && RustChar.IsWordChar(r);
}
