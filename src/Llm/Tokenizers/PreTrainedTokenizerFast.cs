using System.Text;
using System.Text.Json;
using Probe.Core.Tokenizers;

namespace Probe.Llm.Tokenizers;

/// <summary>
/// A Hugging Face tokenizer loaded from a folder's <c>tokenizer.json</c> and <c>tokenizer_config.json</c>, computing what
/// transformers 4.51's <c>PreTrainedTokenizerFast</c> computes with the Rust tokenizers library (0.21): added tokens cut
/// from the raw text, then normalizer, pre-tokenizer, BPE model and, with special tokens, the post-processor; decoding
/// runs the decoder and then, when <c>clean_up_tokenization_spaces</c>, transformers' <c>clean_up_tokenization</c>.
/// Immutable apart from a thread-safe BPE cache, so one instance can be shared.
/// </summary>
public sealed class PreTrainedTokenizerFast
{

    readonly INormalizer? _normalizer;
    readonly IPreTokenizer? _preTokenizer;
    readonly BpeModel _model;
    readonly IPostProcessor? _postProcessor;
    readonly IDecoder? _decoder;
    readonly Dictionary<string, AddedToken> _addedByContent;
    readonly Dictionary<int, AddedToken> _addedById;
    readonly AddedTokenMatcher _rawTokens;
    readonly AddedTokenMatcher _normalizedTokens;

    PreTrainedTokenizerFast(INormalizer? normalizer, IPreTokenizer? preTokenizer, BpeModel model, IPostProcessor? postProcessor,
        IDecoder? decoder, List<AddedToken> added, TokenizerConfig config)
    {
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _model = model;
        _postProcessor = postProcessor;
        _decoder = decoder;
        _addedByContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        _addedById = [];
        foreach (var t in added)
        {
            _addedByContent[t.Content] = t;
            _addedById[t.Id] = t;
        }
        // tokenizers 0.21 AddedVocabulary: tokens with normalized=false are found in the raw text, the others in the
        // normalized pieces, spelled as the normalizer spells them.
        _rawTokens = new AddedTokenMatcher(added.Where(t => !t.Normalized).Select(t => (t.Content, t)));
        _normalizedTokens = new AddedTokenMatcher(added.Where(t => t.Normalized).Select(t => (normalizer?.Normalize(t.Content) ?? t.Content, t)));
        SpecialTokensMap = config.SpecialTokens;
        AdditionalSpecialTokens = config.AdditionalSpecialTokens;
        CleanUpTokenizationSpaces = config.CleanUpTokenizationSpaces;
        ChatTemplate = config.ChatTemplate;
    }

    /// <summary>bos_token, eos_token, unk_token, sep_token, pad_token, cls_token, mask_token as tokenizer_config.json sets them (absent or null ones left out).</summary>
    public IReadOnlyDictionary<string, string> SpecialTokensMap { get; }

    /// <summary>tokenizer_config.json's <c>additional_special_tokens</c>.</summary>
    public IReadOnlyList<string> AdditionalSpecialTokens { get; }

    /// <summary>Whether decoding applies transformers' <c>clean_up_tokenization</c> (tokenizer_config.json; transformers 4.51 defaults to false).</summary>
    public bool CleanUpTokenizationSpaces { get; }

    /// <summary>The raw Jinja chat template (chat_template.jinja, else tokenizer_config.json's; for a list, the "default" one); null if none.</summary>
    public string? ChatTemplate { get; }

    public string? BosToken => SpecialTokensMap.GetValueOrDefault("bos_token");
    public string? EosToken => SpecialTokensMap.GetValueOrDefault("eos_token");
    public string? PadToken => SpecialTokensMap.GetValueOrDefault("pad_token");
    public string? UnkToken => SpecialTokensMap.GetValueOrDefault("unk_token");
    public int? BosTokenId => IdOf(BosToken);
    public int? EosTokenId => IdOf(EosToken);
    public int? PadTokenId => IdOf(PadToken);
    public int? UnkTokenId => IdOf(UnkToken);

    /// <summary>The model's vocabulary size, without added tokens (transformers' <c>vocab_size</c>).</summary>
    public int VocabSize => _model.VocabSize;

    /// <summary>Added tokens, by id.</summary>
    public IReadOnlyCollection<AddedToken> AddedTokens => _addedById.Values;

    /// <summary>Loads <c>tokenizer.json</c> and, when present, <c>tokenizer_config.json</c> and <c>chat_template.jinja</c> from <paramref name="dir"/>.</summary>
    public static PreTrainedTokenizerFast FromPretrained(string dir)
    {
        var path = Path.Combine(dir, "tokenizer.json");
        var file = new TokenizerJson(path);
        using var doc = Parse(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw file.Error("(root)", $"expected an object, found {root.ValueKind}");

        var model = BpeModel.Read(file.Property(root, "model", "(root)"), file);
        var normalizer = Normalizers.Read(Optional(root, "normalizer"), file, "normalizer");
        var preTokenizer = PreTokenizers.Read(Optional(root, "pre_tokenizer"), file, "pre_tokenizer");
        var postProcessor = PostProcessors.Read(Optional(root, "post_processor"), file, "post_processor");
        var decoder = Decoders.Read(Optional(root, "decoder"), file, "decoder");
        var added = ReadAddedTokens(root, file);

        var config = TokenizerConfig.Load(dir);
        // transformers registers every special token of the config as a special added token (normalized=false); the
        // ones tokenizer.json did not list yet are added here with their vocabulary id.
        foreach (var content in config.SpecialTokens.Values.Concat(config.AdditionalSpecialTokens))
            if (!added.Any(a => a.Content == content) && model.TryGetId(content, out var id))
                added.Add(new AddedToken(id, content, Special: true));

        return new PreTrainedTokenizerFast(normalizer, preTokenizer, model, postProcessor, decoder, added, config);
    }

    static JsonDocument Parse(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerFormatException(path, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : $"cannot be read ({e.Message})", e);
        }
        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, $"is not valid JSON ({e.Message})", e);
        }
    }

    static JsonElement Optional(JsonElement root, string name) => root.TryGetProperty(name, out var v) ? v : default;

    static List<AddedToken> ReadAddedTokens(JsonElement root, TokenizerJson file)
    {
        var result = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null) return result;
        if (list.ValueKind != JsonValueKind.Array) throw file.Error("added_tokens", $"expected a list, found {list.ValueKind}");
        var i = 0;
        foreach (var t in list.EnumerateArray())
        {
            var where = $"added_tokens[{i++}]";
            var special = file.Bool(t, "special", where, false);
            result.Add(new AddedToken(file.Int(t, "id", where), file.String(t, "content", where), special,
                file.Bool(t, "single_word", where, false), file.Bool(t, "lstrip", where, false), file.Bool(t, "rstrip", where, false),
                file.Bool(t, "normalized", where, !special)));
        }
        return result;
    }

    /// <summary>The id of a token (added tokens first, then the vocabulary), or null.</summary>
    public int? IdOf(string? token)
    {
        if (token is null) return null;
        if (_addedByContent.TryGetValue(token, out var added)) return added.Id;
        return _model.TryGetId(token, out var id) ? id : null;
    }

    /// <summary>The token string of an id (added tokens first, then the vocabulary), or null.</summary>
    public string? TokenOf(int id) => _addedById.TryGetValue(id, out var added) ? added.Content : _model.TokenOf(id);

    /// <summary>Whether <paramref name="id"/> is an added token flagged special (what <c>skip_special_tokens</c> drops).</summary>
    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var t) && t.Special;

    /// <summary><c>tokenizer(text, add_special_tokens=...)</c>: the ids and tokens of <paramref name="text"/>.</summary>
    public TokenizerEncoding Encode(string text, bool addSpecialTokens = true)
    {
        var ids = new List<int>();
        var tokens = new List<string>();
        foreach (var (start, end, token) in _rawTokens.Split(text))
        {
            if (token is not null)
            {
                Add(token);
                continue;
            }
            var piece = text[start..end];
            var normalized = _normalizer?.Normalize(piece) ?? piece;
            foreach (var (s, e, t) in _normalizedTokens.Split(normalized))
            {
                if (t is not null) Add(t);
                else EncodeWords(new Piece(normalized[s..e], start == 0 && s == 0), ids, tokens);
            }
        }
        if (addSpecialTokens) _postProcessor?.AddSpecialTokens(ids, tokens);
        return new TokenizerEncoding(ids, tokens);

        void Add(AddedToken t)
        {
            ids.Add(t.Id);
            tokens.Add(t.Content);
        }
    }

    /// <summary>The ids of <paramref name="text"/> (see <see cref="Encode"/>).</summary>
    public IReadOnlyList<int> EncodeToIds(string text, bool addSpecialTokens = true) => Encode(text, addSpecialTokens).Ids;

    void EncodeWords(Piece piece, List<int> ids, List<string> tokens)
    {
        if (piece.Text.Length == 0) return;
        var words = _preTokenizer?.Split(piece) ?? [piece];
        foreach (var word in words)
            foreach (var id in _model.Tokenize(word.Text))
            {
                ids.Add(id);
                tokens.Add(TokenOf(id)!);
            }
    }

    /// <summary>
    /// <c>tokenizer.decode(ids, skip_special_tokens=...)</c>: unknown ids are dropped (as tokenizers does), the decoder
    /// runs (or, without one, tokens are joined with spaces), then <c>clean_up_tokenization</c> when configured.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && IsSpecial(id)) continue;
            if (TokenOf(id) is { } token) tokens.Add(token);
        }
        var text = _decoder is null ? string.Join(' ', tokens) : string.Concat(_decoder.DecodeChain(tokens));
        return CleanUpTokenizationSpaces ? CleanUpTokenization(text) : text;
    }

    public string Decode(IEnumerable<long> ids, bool skipSpecialTokens = false) =>
        Decode(ids.Select(id => id is < int.MinValue or > int.MaxValue ? -1 : (int)id), skipSpecialTokens);

    /// <summary>transformers 4.51 <c>PreTrainedTokenizerBase.clean_up_tokenization</c>.</summary>
    public static string CleanUpTokenization(string text) => new StringBuilder(text)
        .Replace(" .", ".").Replace(" ?", "?").Replace(" !", "!").Replace(" ,", ",").Replace(" ' ", "'")
        .Replace(" n't", "n't").Replace(" 'm", "'m").Replace(" 's", "'s").Replace(" 've", "'ve").Replace(" 're", "'re")
        .ToString();
}
