using System.Collections.Concurrent;
using System.Text.Json;

namespace Probe.Core.Tokenizers;

/// <summary>
/// CLIP's byte-level BPE: the vocabulary (<c>vocab.json</c>), the ranked merges (<c>merges.txt</c>) and the merge
/// loop of <c>CLIPTokenizer.bpe</c>, with its per-word cache.
/// </summary>
public sealed class BytePairEncoder
{
    /// <summary>
    /// CLIPTokenizer reads only the merges that openai's BPE file defines, <c>49152 - 256 - 2</c> of them, whatever
    /// the length of merges.txt; later lines are ignored, so they are ignored here too.
    /// </summary>
    public const int MaxMerges = 49152 - 256 - 2;

    public const string EndOfWord = "</w>";

    // Bounds the cache for long-running processes; prompts reuse a small vocabulary, so this is rarely reached.
    const int MaxCachedWords = 100_000;

    readonly Dictionary<string, int> _vocab;
    readonly Dictionary<int, string> _idToToken;
    readonly Dictionary<string, int> _ranks;
    readonly ConcurrentDictionary<string, string[]> _cache = new(StringComparer.Ordinal);

    BytePairEncoder(Dictionary<string, int> vocab, Dictionary<string, int> ranks)
    {
        _vocab = vocab;
        _ranks = ranks;
        _idToToken = vocab.ToDictionary(kv => kv.Value, kv => kv.Key);
        // The reference seeds its cache with the two markers, so a marker that reaches BPE (e.g. one that ftfy's width
        // fix turned from fullwidth into ASCII) stays one token instead of being split into pieces.
        _cache["<|startoftext|>"] = ["<|startoftext|>"];
        _cache["<|endoftext|>"] = ["<|endoftext|>"];
    }

    public int VocabSize => _vocab.Count;

    public int MergeCount => _ranks.Count;

    public bool TryGetId(string token, out int id) => _vocab.TryGetValue(token, out id);

    public string? TokenOf(int id) => _idToToken.GetValueOrDefault(id);

    public static BytePairEncoder Load(string vocabPath, string mergesPath) =>
        new(ReadVocab(vocabPath), ReadMerges(mergesPath));

    /// <summary>
    /// Splits one pre-token, already spelled in <see cref="ByteLevel"/> characters, into vocabulary tokens: the last
    /// symbol carries <c>&lt;/w&gt;</c>, then the adjacent pair with the lowest merge rank is merged everywhere (left to
    /// right) until no ranked pair remains.
    /// </summary>
    public string[] Encode(string word)
    {
        if (_cache.TryGetValue(word, out var cached)) return cached;
        var tokens = Merge(word);
        if (_cache.Count < MaxCachedWords) _cache.TryAdd(word, tokens);
        return tokens;
    }

    string[] Merge(string word)
    {
        if (word.Length == 0) return [];
        var symbols = new List<string>(word.Length);
        for (var i = 0; i < word.Length - 1; i++) symbols.Add(word[i].ToString());
        symbols.Add(word[^1] + EndOfWord);

        var next = new List<string>(symbols.Count);
        while (symbols.Count > 1)
        {
            var best = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i < symbols.Count - 1; i++)
            {
                if (_ranks.TryGetValue(PairKey(symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) break;

            var first = symbols[best];
            var second = symbols[best + 1];
            next.Clear();
            for (var i = 0; i < symbols.Count;)
            {
                if (i < symbols.Count - 1 && symbols[i] == first && symbols[i + 1] == second)
                {
                    next.Add(first + second);
                    i += 2;
                }
                else
                {
                    next.Add(symbols[i]);
                    i++;
                }
            }
            (symbols, next) = (next, symbols);
        }
        return symbols.ToArray();
    }

    // Symbols never contain a space (ByteLevel spells the space byte as 'Ġ'), so "first second" is an unambiguous key,
    // and it is exactly how the pair is written in merges.txt.
    static string PairKey(string first, string second) => string.Concat(first, " ", second);

    static Dictionary<string, int> ReadVocab(string path)
    {
        var bytes = ReadFile(path);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, $"is not valid JSON ({e.Message})", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new TokenizerFormatException(path, $"must be a JSON object of token -> id, found {doc.RootElement.ValueKind}");
            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            var byId = new Dictionary<int, string>();
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                    throw new TokenizerFormatException(path, $"token '{entry.Name}' has id {entry.Value.GetRawText()}, expected a non-negative integer");
                if (!vocab.TryAdd(entry.Name, id))
                    throw new TokenizerFormatException(path, $"token '{entry.Name}' appears twice");
                if (!byId.TryAdd(id, entry.Name))
                    throw new TokenizerFormatException(path, $"id {id} is used by both '{byId[id]}' and '{entry.Name}'");
            }
            if (vocab.Count == 0) throw new TokenizerFormatException(path, "holds no tokens");
            return vocab;
        }
    }

    static Dictionary<string, int> ReadMerges(string path)
    {
        var text = System.Text.Encoding.UTF8.GetString(ReadFile(path));
        // As CLIPTokenizer: strip the whole file, split on '\n', skip line 1 (the "#version" header), keep MaxMerges.
        var lines = PythonString.Strip(text).Split('\n');
        if (!lines[0].StartsWith("#version", StringComparison.Ordinal))
            throw new TokenizerFormatException(path,
                $"line 1 is '{Shorten(lines[0])}', expected the '#version: 0.2' header (CLIPTokenizer always skips line 1, so a file without it would lose its first merge)");

        var count = Math.Min(lines.Length - 1, MaxMerges);
        var ranks = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (var rank = 0; rank < count; rank++)
        {
            var parts = lines[rank + 1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new TokenizerFormatException(path, $"line {rank + 2} ('{Shorten(lines[rank + 1])}') has {parts.Length} symbols, a merge needs exactly 2");
            // A repeated pair takes its later rank, as Python's dict(zip(merges, ranks)) does.
            ranks[PairKey(parts[0], parts[1])] = rank;
        }
        return ranks;
    }

    static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerFormatException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot be read ({e.Message})", e);
        }
    }

    static string Shorten(string s) => s.Length <= 40 ? s.TrimEnd('\r') : s[..40] + "…";
}
