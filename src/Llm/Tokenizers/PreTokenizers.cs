using System.Text.Json;
using Probe.Core.Tokenizers;

namespace Probe.Llm.Tokenizers;

/// <summary>A piece of normalized text; <see cref="AtStart"/> when it begins at offset 0 of the input (Metaspace "first").</summary>
internal readonly record struct Piece(string Text, bool AtStart);

/// <summary>A tokenizer.json pre-tokenizer (tokenizers 0.21 <c>pre_tokenizers</c>): cuts a piece into the words BPE sees.</summary>
internal interface IPreTokenizer
{
    IEnumerable<Piece> Split(Piece piece);
}

/// <summary>tokenizers' <c>SplitDelimiterBehavior</c>: what happens to the matched delimiters.</summary>
internal enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

internal static class PreTokenizers
{
    const string Supported = "ByteLevel, Split, Digits, Metaspace, Whitespace, WhitespaceSplit, Sequence";

    // GPT-2's pattern, which tokenizers 0.21 `pre_tokenizers::byte_level` uses when use_regex is true.
    const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    static readonly Lazy<CodePointRegex> Gpt2 = new(() => new CodePointRegex(Gpt2Pattern, "(built-in)", "ByteLevel"));

    public static IPreTokenizer? Read(JsonElement json, TokenizerJson file, string where)
    {
        if (json.ValueKind == JsonValueKind.Null) return null;
        var type = file.Type(json, where);
        switch (type)
        {
            case "ByteLevel":
                return new ByteLevelSplit(file.Bool(json, "add_prefix_space", where, true), file.Bool(json, "use_regex", where, true));
            case "Split":
                return new PatternSplit(file.Pattern(json, "pattern", where), Behavior(json, file, where), file.Bool(json, "invert", where, false));
            case "Digits":
                return new DigitSplit(file.Bool(json, "individual_digits", where, false));
            case "Metaspace":
                return ReadMetaspace(json, file, where);
            case "Whitespace":
                // tokenizers: the matches of \w+|[^\w\s]+ are the words, everything else is dropped.
                return new PatternSplit(new CodePointRegex(@"\w+|[^\w\s]+", file.File, where), SplitBehavior.Removed, invert: true);
            case "WhitespaceSplit":
                return new WhitespaceSplit();
            case "Sequence":
                return new Sequence(file.Array(json, "pretokenizers", where).EnumerateArray()
                    .Select((p, i) => Read(p, file, $"{where}.pretokenizers[{i}]") ?? throw file.Error($"{where}.pretokenizers[{i}]", "is null")).ToArray());
            default:
                throw file.Unknown(where, type, Supported);
        }
    }

    static SplitBehavior Behavior(JsonElement json, TokenizerJson file, string where)
    {
        var b = file.String(json, "behavior", where);
        return Enum.TryParse<SplitBehavior>(b, ignoreCase: false, out var behavior) && Enum.IsDefined(behavior)
            ? behavior
            : throw file.Error($"{where}.behavior", $"'{b}' is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
    }

    static Metaspace ReadMetaspace(JsonElement json, TokenizerJson file, string where)
    {
        var replacement = file.String(json, "replacement", where);
        if (replacement.EnumerateRunes().Count() != 1) throw file.Error($"{where}.replacement", $"'{replacement}' must be one character");
        // Files written before tokenizers 0.19 carry add_prefix_space instead of prepend_scheme.
        var scheme = file.OptionalString(json, "prepend_scheme", where)
            ?? (file.Bool(json, "add_prefix_space", where, true) ? "always" : "never");
        if (scheme is not ("always" or "never" or "first"))
            throw file.Error($"{where}.prepend_scheme", $"'{scheme}' is not one of always, never, first");
        return new Metaspace(replacement, scheme, file.Bool(json, "split", where, true));
    }

    /// <summary>
    /// tokenizers 0.21 <c>NormalizedString::split</c>: the text cut into alternating (gap, match) spans, then grouped by
    /// the behavior. Empty pieces are dropped, as <c>PreTokenizedString::split</c> does.
    /// </summary>
    public static IEnumerable<Piece> SplitBy(Piece piece, List<(int Start, int End)> matches, SplitBehavior behavior, bool invert = false)
    {
        var text = piece.Text;
        var spans = new List<(int Start, int End, bool IsMatch)>(matches.Count * 2 + 1);
        var last = 0;
        foreach (var (s, e) in matches)
        {
            if (s > last) spans.Add((last, s, invert));
            spans.Add((s, e, !invert));
            last = e;
        }
        if (last < text.Length) spans.Add((last, text.Length, invert));

        var grouped = new List<(int Start, int End)>(spans.Count);
        switch (behavior)
        {
            case SplitBehavior.Removed:
                grouped.AddRange(spans.Where(s => !s.IsMatch).Select(s => (s.Start, s.End)));
                break;
            case SplitBehavior.Isolated:
                grouped.AddRange(spans.Select(s => (s.Start, s.End)));
                break;
            case SplitBehavior.Contiguous:
                {
                    var previous = false;
                    foreach (var s in spans)
                    {
                        if (s.IsMatch && previous && grouped.Count > 0) grouped[^1] = (grouped[^1].Start, s.End);
                        else grouped.Add((s.Start, s.End));
                        previous = s.IsMatch;
                    }
                    break;
                }
            case SplitBehavior.MergedWithPrevious:
                {
                    var previous = false;
                    foreach (var s in spans)
                    {
                        if (s.IsMatch && !previous && grouped.Count > 0) grouped[^1] = (grouped[^1].Start, s.End);
                        else grouped.Add((s.Start, s.End));
                        previous = s.IsMatch;
                    }
                    break;
                }
            case SplitBehavior.MergedWithNext:
                {
                    var previous = false;
                    for (var i = spans.Count - 1; i >= 0; i--)
                    {
                        var s = spans[i];
                        if (s.IsMatch && !previous && grouped.Count > 0) grouped[^1] = (s.Start, grouped[^1].End);
                        else grouped.Add((s.Start, s.End));
                        previous = s.IsMatch;
                    }
                    grouped.Reverse();
                    break;
                }
        }
        foreach (var (s, e) in grouped)
            if (e > s) yield return new Piece(text[s..e], piece.AtStart && s == 0);
    }

    sealed class ByteLevelSplit(bool addPrefixSpace, bool useRegex) : IPreTokenizer
    {
        public IEnumerable<Piece> Split(Piece piece)
        {
            // tokenizers 0.21 prepends the space to every piece that does not already start with one.
            if (addPrefixSpace && !piece.Text.StartsWith(' ')) piece = piece with { Text = " " + piece.Text };
            var words = useRegex ? SplitBy(piece, Gpt2.Value.Matches(piece.Text), SplitBehavior.Isolated) : [piece];
            return words.Select(w => w with { Text = ByteLevel.Encode(w.Text) });
        }
    }

    sealed class PatternSplit(CodePointRegex pattern, SplitBehavior behavior, bool invert) : IPreTokenizer
    {
        public IEnumerable<Piece> Split(Piece piece) => SplitBy(piece, pattern.Matches(piece.Text), behavior, invert);
    }

    sealed class DigitSplit(bool individual) : IPreTokenizer
    {
        public IEnumerable<Piece> Split(Piece piece)
        {
            var matches = RustChar.Runes(piece.Text).Where(x => RustChar.IsNumeric(x.Rune))
                .Select(x => (x.Index, x.Index + x.Rune.Utf16SequenceLength)).ToList();
            return SplitBy(piece, matches, individual ? SplitBehavior.Isolated : SplitBehavior.Contiguous);
        }
    }

    sealed class WhitespaceSplit : IPreTokenizer
    {
        public IEnumerable<Piece> Split(Piece piece)
        {
            var matches = RustChar.Runes(piece.Text).Where(x => RustChar.IsWhitespace(x.Rune.Value))
                .Select(x => (x.Index, x.Index + x.Rune.Utf16SequenceLength)).ToList();
            return SplitBy(piece, matches, SplitBehavior.Removed);
        }
    }

    /// <summary>
    /// tokenizers 0.21 <c>pre_tokenizers::metaspace</c>: spaces become the replacement (▁); the replacement is prepended
    /// when the piece does not start with it ("always", or "first" only for the piece at offset 0 of the input);
    /// then, with split, each ▁ starts a new word.
    /// </summary>
    sealed class Metaspace(string replacement, string scheme, bool split) : IPreTokenizer
    {
        public IEnumerable<Piece> Split(Piece piece)
        {
            var text = piece.Text.Replace(" ", replacement, StringComparison.Ordinal);
            var prepend = scheme == "always" || (scheme == "first" && piece.AtStart);
            if (prepend && !text.StartsWith(replacement, StringComparison.Ordinal)) text = replacement + text;
            piece = piece with { Text = text };
            if (!split) return [piece];
            var matches = new List<(int, int)>();
            for (var i = text.IndexOf(replacement, StringComparison.Ordinal); i >= 0; i = text.IndexOf(replacement, i + replacement.Length, StringComparison.Ordinal))
                matches.Add((i, i + replacement.Length));
            return SplitBy(piece, matches, SplitBehavior.MergedWithNext);
        }
    }

    sealed class Sequence(IPreTokenizer[] steps) : IPreTokenizer
    {
        public IEnumerable<Piece> Split(Piece piece)
        {
            IEnumerable<Piece> pieces = [piece];
            foreach (var step in steps) pieces = pieces.SelectMany(step.Split).ToList();
            return pieces;
        }
    }
}
