using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Probe.Llm.Tokenizers;

/// <summary>
/// The BPE model of tokenizer.json (tokenizers 0.21 <c>models::bpe</c>): each word starts as its characters (with
/// <c>continuing_subword_prefix</c> / <c>end_of_word_suffix</c>, <c>&lt;0xNN&gt;</c> byte tokens for characters outside
/// the vocabulary when <c>byte_fallback</c>, else <c>unk_token</c>), then the adjacent pair with the lowest merge rank
/// is merged, leftmost first, until none is left. Words are cached.
/// </summary>
internal sealed class BpeModel
{
    const int MaxCachedWords = 100_000;

    readonly Dictionary<string, int> _vocab;
    readonly Dictionary<int, string> _tokens;
    readonly Dictionary<long, (int Rank, int NewId)> _merges;
    readonly string? _prefix;
    readonly string? _suffix;
    readonly int? _unkId;
    readonly bool _fuseUnk;
    readonly bool _byteFallback;
    readonly bool _ignoreMerges;
    readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    BpeModel(Dictionary<string, int> vocab, Dictionary<long, (int, int)> merges, string? prefix, string? suffix, int? unkId,
        bool fuseUnk, bool byteFallback, bool ignoreMerges)
    {
        _vocab = vocab;
        _tokens = new Dictionary<int, string>(vocab.Count);
        foreach (var (token, id) in vocab) _tokens.TryAdd(id, token);
        _merges = merges;
        _prefix = string.IsNullOrEmpty(prefix) ? null : prefix;
        _suffix = string.IsNullOrEmpty(suffix) ? null : suffix;
        _unkId = unkId;
        _fuseUnk = fuseUnk;
        _byteFallback = byteFallback;
        _ignoreMerges = ignoreMerges;
    }

    public int VocabSize => _vocab.Count;

    public bool TryGetId(string token, out int id) => _vocab.TryGetValue(token, out id);

    public string? TokenOf(int id) => _tokens.GetValueOrDefault(id);

    public static BpeModel Read(JsonElement json, TokenizerJson file)
    {
        const string where = "model";
        var type = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("type", out var t) ? t.GetString() : "BPE";
        if (type != "BPE") throw file.Unknown(where, type ?? "(null)", "BPE");
        if (json.TryGetProperty("dropout", out var dropout) && dropout.ValueKind != JsonValueKind.Null
            && !(dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() == 0))
            throw file.Error($"{where}.dropout", $"is {dropout.GetRawText()}; BPE dropout makes encoding random and is not supported (expected null or 0)");

        var vocabJson = file.Property(json, "vocab", where);
        if (vocabJson.ValueKind != JsonValueKind.Object) throw file.Error($"{where}.vocab", $"expected an object of token -> id, found {vocabJson.ValueKind}");
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabJson.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                throw file.Error($"{where}.vocab", $"token '{entry.Name}' has id {entry.Value.GetRawText()}, expected a non-negative integer");
            vocab[entry.Name] = id;
        }

        var prefix = file.OptionalString(json, "continuing_subword_prefix", where);
        var merges = new Dictionary<long, (int, int)>();
        var rank = 0;
        foreach (var m in file.Array(json, "merges", where).EnumerateArray())
        {
            var (a, b) = MergePair(m, file, $"{where}.merges[{rank}]");
            var ids = (Id(a), Id(b));
            // The merged token drops the second part's continuing-subword prefix (tokenizers 0.21 BpeBuilder::build).
            var merged = a + (prefix is { Length: > 0 } && b.StartsWith(prefix, StringComparison.Ordinal) ? b[prefix.Length..] : b);
            if (!vocab.TryGetValue(merged, out var newId))
                throw file.Error($"{where}.merges[{rank}]", $"the merge of '{a}' and '{b}' makes '{merged}', which is not in the vocab");
            // A repeated pair keeps its later rank, as the Rust HashMap collect does.
            merges[Key(ids.Item1, ids.Item2)] = (rank, newId);
            rank++;

            int Id(string token) => vocab.TryGetValue(token, out var id) ? id
                : throw file.Error($"{where}.merges[{rank}]", $"token '{token}' is not in the vocab");
        }

        int? unkId = null;
        var unk = file.OptionalString(json, "unk_token", where);
        if (unk is not null)
            unkId = vocab.TryGetValue(unk, out var u) ? u : throw file.Error($"{where}.unk_token", $"'{unk}' is not in the vocab");

        return new BpeModel(vocab, merges, prefix, file.OptionalString(json, "end_of_word_suffix", where), unkId,
            file.Bool(json, "fuse_unk", where, false), file.Bool(json, "byte_fallback", where, false), file.Bool(json, "ignore_merges", where, false));
    }

    // Merges are "a b" strings (tokenizers < 0.20) or ["a", "b"] lists (0.20 on, which allows spaces in tokens).
    static (string, string) MergePair(JsonElement m, TokenizerJson file, string where)
    {
        if (m.ValueKind == JsonValueKind.String)
        {
            var s = m.GetString()!;
            var space = s.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || space == s.Length - 1 || s.IndexOf(' ', space + 1) >= 0)
                throw file.Error(where, $"'{s}' is not two tokens separated by one space");
            return (s[..space], s[(space + 1)..]);
        }
        if (m.ValueKind == JsonValueKind.Array && m.GetArrayLength() == 2 && m[0].ValueKind == JsonValueKind.String && m[1].ValueKind == JsonValueKind.String)
            return (m[0].GetString()!, m[1].GetString()!);
        throw file.Error(where, $"expected \"a b\" or [\"a\", \"b\"], found {m.GetRawText()}");
    }

    static long Key(int a, int b) => ((long)a << 32) | (uint)b;

    /// <summary>The ids of one pre-tokenized word.</summary>
    public int[] Tokenize(string word)
    {
        if (word.Length == 0) return [];
        if (_cache.TryGetValue(word, out var cached)) return cached;
        int[] ids;
        if (_ignoreMerges && _vocab.TryGetValue(word, out var whole)) ids = [whole];
        else ids = Merge(Symbols(word));
        if (_cache.Count < MaxCachedWords) _cache.TryAdd(word, ids);
        return ids;
    }

    // tokenizers 0.21 BPE::merge_word: the initial symbols.
    List<int> Symbols(string word)
    {
        var symbols = new List<int>(word.Length);
        int? pendingUnk = null;
        for (var i = 0; i < word.Length;)
        {
            var len = char.IsSurrogatePair(word, i) ? 2 : 1;
            var s = word.Substring(i, len);
            if (_prefix is not null && i > 0) s = _prefix + s;
            if (_suffix is not null && i + len == word.Length) s += _suffix;
            i += len;
            if (_vocab.TryGetValue(s, out var id))
            {
                if (pendingUnk is { } u) { symbols.Add(u); pendingUnk = null; }
                symbols.Add(id);
                continue;
            }
            if (_byteFallback && ByteTokens(s) is { } bytes)
            {
                // As in Rust, a pending unk is not flushed here: it lands after these bytes.
                symbols.AddRange(bytes);
                continue;
            }
            if (_unkId is { } unk)
            {
                if (pendingUnk is not null && !_fuseUnk) symbols.Add(pendingUnk.Value);
                pendingUnk = unk;
            }
            // Without unk_token the character is dropped, as tokenizers does.
        }
        if (pendingUnk is { } last) symbols.Add(last);
        return symbols;
    }

    int[]? ByteTokens(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var ids = new int[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
            if (!_vocab.TryGetValue(string.Create(CultureInfo.InvariantCulture, $"<0x{bytes[i]:X2}>"), out ids[i])) return null;
        return ids;
    }

    // tokenizers 0.21 Word::merge_all: a priority queue of (rank, position), stale entries skipped.
    int[] Merge(List<int> ids)
    {
        var n = ids.Count;
        if (n < 2) return ids.ToArray();
        var id = ids.ToArray();
        var prev = new int[n];
        var next = new int[n];
        var alive = new bool[n];
        for (var i = 0; i < n; i++) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; alive[i] = true; }

        var queue = new PriorityQueue<(int Pos, int NewId), (int Rank, int Pos)>();
        for (var i = 0; i + 1 < n; i++)
            if (_merges.TryGetValue(Key(id[i], id[i + 1]), out var m)) queue.Enqueue((i, m.NewId), (m.Rank, i));

        while (queue.TryDequeue(out var top, out _))
        {
            var pos = top.Pos;
            if (!alive[pos] || next[pos] < 0) continue;
            var right = next[pos];
            if (!_merges.TryGetValue(Key(id[pos], id[right]), out var current) || current.NewId != top.NewId) continue;

            id[pos] = top.NewId;
            alive[right] = false;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;

            if (prev[pos] >= 0 && _merges.TryGetValue(Key(id[prev[pos]], id[pos]), out var left))
                queue.Enqueue((prev[pos], left.NewId), (left.Rank, prev[pos]));
            if (next[pos] >= 0 && _merges.TryGetValue(Key(id[pos], id[next[pos]]), out var after))
                queue.Enqueue((pos, after.NewId), (after.Rank, pos));
        }

        var result = new List<int>(n);
        for (var i = 0; i >= 0; i = next[i]) result.Add(id[i]);
        return result.ToArray();
    }
}
