
namespace Probe.Core.Tokenizers;

/// <summary>
/// The first step of transformers' slow <c>tokenize</c>: cut the raw prompt around its "no-split" tokens (the special
/// tokens and added tokens; for SD 2.x that includes the pad token <c>!</c>), taking the longest token at the leftmost
/// position as its trie does, then strip whitespace from the neighbours of each token (both sides for a plain-string
/// token, only the sides an AddedToken's lstrip/rstrip ask for) and drop pieces that became empty.
/// </summary>
public sealed class AddedTokenSplitter
{
    readonly string[] _longestFirst;
    readonly Dictionary<string, (bool StripLeft, bool StripRight)> _strip;

    /// <param name="tokens">Every no-split token with its whitespace behaviour (see <see cref="SpecialToken"/>).</param>
    public AddedTokenSplitter(IReadOnlyDictionary<string, (bool StripLeft, bool StripRight)> tokens)
    {
        _strip = new Dictionary<string, (bool, bool)>(tokens, StringComparer.Ordinal);
        _longestFirst = tokens.Keys.OrderByDescending(t => t.Length).ThenBy(t => t, StringComparer.Ordinal).ToArray();
    }

    public bool IsToken(string piece) => _strip.ContainsKey(piece);

    /// <summary>The pieces of <paramref name="text"/> in order, each marked as a no-split token or as text to tokenize.</summary>
    public List<(string Text, bool IsToken)> Split(string text)
    {
        var pieces = Cut(text);

        // Mirrors the reference loop exactly, including that a stripped neighbour is what the next step sees.
        for (var i = 0; i < pieces.Count; i++)
        {
            if (!_strip.TryGetValue(pieces[i], out var strip)) continue;
            if (strip.StripRight && i + 1 < pieces.Count && pieces[i + 1].Length > 0) pieces[i + 1] = PythonString.LStrip(pieces[i + 1]);
            if (strip.StripLeft && i > 0 && pieces[i - 1].Length > 0) pieces[i - 1] = PythonString.RStrip(pieces[i - 1]);
        }

        var result = new List<(string, bool)>(pieces.Count);
        foreach (var piece in pieces)
            if (piece.Length > 0) result.Add((piece, IsToken(piece)));
        return result;
    }

    List<string> Cut(string text)
    {
        var pieces = new List<string>();
        if (_longestFirst.Length == 0)
        {
            if (text.Length > 0) pieces.Add(text);
            return pieces;
        }

        var start = 0;
        for (var i = 0; i < text.Length;)
        {
            var match = Match(text, i);
            if (match is null)
            {
                i++;
                continue;
            }
            if (i > start) pieces.Add(text[start..i]);
            pieces.Add(match);
            i += match.Length;
            start = i;
        }
        if (start < text.Length) pieces.Add(text[start..]);
        return pieces;
    }

    string? Match(string text, int at)
    {
        foreach (var token in _longestFirst)
            if (text.AsSpan(at).StartsWith(token, StringComparison.Ordinal))
                return token;
        return null;
    }
}
