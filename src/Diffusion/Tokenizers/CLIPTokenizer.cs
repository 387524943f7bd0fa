using System.Text;
using Probe.Core.Tokenizers;
using Probe.Diffusion.Tokenizers.Ftfy;

namespace Probe.Diffusion.Tokenizers;

/// <summary>
/// The CLIP tokenizer of a Stable Diffusion pipeline, reproducing Hugging Face transformers' slow
/// <c>CLIPTokenizer</c> (4.30.2, with ftfy 6.1.1 installed) as <c>StableDiffusionPipeline</c> uses it:
/// split the prompt around special/added tokens → per piece <c>ftfy.fix_text</c>, whitespace collapse, lowercase →
/// CLIP's pre-tokenizer → byte-level BPE. Loaded once per pipeline and safe to share between threads.
/// </summary>
/// <remarks>
/// SD 2.x tokenizers declare <c>!</c> (id 0) as their pad token, which makes it a special token: every <c>!</c> in a
/// prompt becomes its own id 0 instead of merging with neighbouring punctuation (diffusers #4153). That is what the
/// reference does, so it is reproduced here. See docs/TOKENIZER.md.
/// </remarks>
public sealed class CLIPTokenizer
{
    readonly BytePairEncoder _bpe;
    readonly AddedTokenSplitter _splitter;
    readonly Dictionary<string, int> _added;
    readonly Dictionary<int, string> _addedById;

    CLIPTokenizer(BytePairEncoder bpe, CLIPTokenizerConfig config, string directory)
    {
        _bpe = bpe;
        ModelMaxLength = config.ModelMaxLength;
        var configPath = Path.Combine(directory, CLIPTokenizerConfig.ConfigFile);

        var unk = config.Unk ?? throw new TokenizerFormatException(configPath, "defines no unk_token");
        if (!bpe.TryGetId(unk.Content, out var unkId))
            throw new TokenizerFormatException(configPath, $"unk_token '{unk.Content}' is not in vocab.json");
        UnkTokenId = unkId;

        // added_tokens.json first, then special tokens missing from the vocabulary, each taking the next free id
        // (transformers: tokens from the file, then sanitize_special_tokens).
        _added = new Dictionary<string, int>(StringComparer.Ordinal);
        var noSplit = new HashSet<string>(StringComparer.Ordinal);
        var addedPath = Path.Combine(directory, CLIPTokenizerConfig.AddedTokensFile);
        foreach (var (token, id) in config.AddedTokens)
        {
            var expected = bpe.VocabSize + _added.Count;
            if (id != expected)
                throw new TokenizerFormatException(addedPath, $"token '{token}' has id {id}, but added tokens must continue the vocabulary consecutively (expected {expected})");
            if (bpe.TryGetId(token, out _)) continue;
            _added[token] = id;
            noSplit.Add(token);
        }
        foreach (var special in config.AllSpecial)
        {
            noSplit.Add(special.Content);
            if (special.Content != unk.Content && !bpe.TryGetId(special.Content, out _) && !_added.ContainsKey(special.Content))
                _added[special.Content] = bpe.VocabSize + _added.Count;
        }
        _addedById = _added.ToDictionary(kv => kv.Value, kv => kv.Key);

        BosTokenId = IdOf((config.Bos ?? throw new TokenizerFormatException(configPath, "defines no bos_token")).Content);
        EosTokenId = IdOf((config.Eos ?? throw new TokenizerFormatException(configPath, "defines no eos_token")).Content);
        var pad = config.Pad ?? throw new TokenizerFormatException(configPath, "defines no pad_token; the pipeline pads every prompt to model_max_length");
        PadToken = pad.Content;
        PadTokenId = IdOf(pad.Content);

        // An AddedToken strips only the sides it asks for; a plain-string token strips both (the last AddedToken with
        // a given content decides, as transformers' dict of extended special tokens does).
        var behaviour = new Dictionary<string, (bool, bool)>(StringComparer.Ordinal);
        foreach (var token in noSplit)
        {
            var extended = config.AllSpecial.LastOrDefault(s => s.IsAddedToken && s.Content == token);
            behaviour[token] = extended is null ? (true, true) : (extended.LStrip, extended.RStrip);
        }
        _splitter = new AddedTokenSplitter(behaviour);
    }

    /// <summary>
    /// Loads the tokenizer of a diffusers pipeline from its <c>tokenizer/</c> folder: <c>vocab.json</c>,
    /// <c>merges.txt</c>, <c>tokenizer_config.json</c>, and when present <c>special_tokens_map.json</c> and
    /// <c>added_tokens.json</c>. Throws <see cref="TokenizerFormatException"/> naming the file when one is missing or
    /// malformed.
    /// </summary>
    public static CLIPTokenizer FromPretrained(string directory)
    {
        if (!Directory.Exists(directory))
            throw new TokenizerFormatException(directory, "tokenizer folder not found");
        var config = CLIPTokenizerConfig.Load(directory);
        var bpe = BytePairEncoder.Load(Path.Combine(directory, "vocab.json"), Path.Combine(directory, "merges.txt"));
        return new CLIPTokenizer(bpe, config, directory);
    }

    /// <summary>The sequence length the text encoder takes (77 for CLIP), from tokenizer_config.json.</summary>
    public int ModelMaxLength { get; }

    public int BosTokenId { get; }
    public int EosTokenId { get; }
    public int UnkTokenId { get; }
    public int PadTokenId { get; }

    /// <summary>The pad token's text: <c>!</c> for SD 2.x, <c>&lt;|endoftext|&gt;</c> for SD 1.x.</summary>
    public string PadToken { get; }

    /// <summary>Vocabulary size including added tokens (<c>len(tokenizer)</c>).</summary>
    public int VocabSize => _bpe.VocabSize + _added.Count;

    /// <summary>The tokens of <paramref name="text"/> (transformers' <c>tokenize</c>), without bos/eos.</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        foreach (var (piece, isToken) in _splitter.Split(text))
        {
            if (isToken)
            {
                tokens.Add(piece);
                continue;
            }
            // CLIPTokenizer._tokenize: whitespace_clean(fix_text(piece)).lower(), then the pre-tokenizer and BPE.
            var cleaned = PythonString.Lower(PythonString.CollapseWhitespace(TextFixer.FixText(piece)));
            foreach (var word in ClipPreTokenizer.Split(cleaned))
                tokens.AddRange(_bpe.Encode(ByteLevel.Encode(word)));
        }
        return tokens;
    }

    /// <summary>The ids of <paramref name="text"/> without bos/eos and without truncation.</summary>
    public int[] Encode(string text)
    {
        var tokens = Tokenize(text);
        var ids = new int[tokens.Count];
        for (var i = 0; i < ids.Length; i++) ids[i] = IdOf(tokens[i]);
        return ids;
    }

    /// <summary>
    /// Encodes a prompt as the pipeline does (<c>padding="max_length", truncation=True</c>):
    /// <c>[bos] + ids[:ModelMaxLength - 2] + [eos] + [pad]*</c>.
    /// </summary>
    public TokenizedPrompt EncodePrompt(string prompt)
    {
        var ids = Encode(prompt);
        var keep = Math.Min(ids.Length, ModelMaxLength - 2);
        var input = new long[ModelMaxLength];
        input[0] = BosTokenId;
        for (var i = 0; i < keep; i++) input[i + 1] = ids[i];
        input[keep + 1] = EosTokenId;
        for (var i = keep + 2; i < input.Length; i++) input[i] = PadTokenId;
        return new TokenizedPrompt(input, ids.Length, ids[keep..]);
    }

    /// <summary>Encodes a batch of prompts as the pipeline does; one <see cref="TokenizedPrompt"/> per prompt, in order.</summary>
    public IReadOnlyList<TokenizedPrompt> EncodePrompts(IEnumerable<string> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        return prompts.Select(EncodePrompt).ToArray();
    }

    /// <summary>
    /// Text for ids, as CLIPTokenizer's <c>convert_tokens_to_string</c>: tokens joined, bytes decoded as UTF-8 (invalid
    /// sequences replaced), every <c>&lt;/w&gt;</c> read as a space. Meant for messages such as truncation warnings.
    /// </summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var spelled = new StringBuilder();
        foreach (var id in ids)
        {
            var token = _addedById.TryGetValue(id, out var added) ? added : _bpe.TokenOf(id);
            spelled.Append(token ?? throw new ArgumentOutOfRangeException(nameof(ids), id, $"id {id} is not in the vocabulary ({VocabSize} tokens)"));
        }
        var text = Encoding.UTF8.GetString(ByteLevel.Decode(spelled.ToString()));
        return PythonString.Strip(text.Replace(BytePairEncoder.EndOfWord, " ", StringComparison.Ordinal));
    }

    // transformers' convert_tokens_to_ids: added tokens first, then the vocabulary, else the unknown token.
    int IdOf(string token)
    {
        if (_added.TryGetValue(token, out var id)) return id;
        return _bpe.TryGetId(token, out id) ? id : UnkTokenId;
    }
}
