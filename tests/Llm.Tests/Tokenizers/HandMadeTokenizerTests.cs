using System.Text.Json;
using Probe.Core;
using Probe.Core.Tokenizers;
using Probe.Llm.Tokenizers;

namespace Probe.Tests.Tokenizers;

/// <summary>
/// Small tokenizer.json files written here, for what the real fixtures do not reach: the SentencePiece-style BPE of
/// Llama 2 / Mistral (Prepend + Replace normalizer or Metaspace, byte_fallback, the Replace/ByteFallback/Fuse/Strip
/// decoder chain) and the errors on files that are not understood. Expected values follow tokenizers 0.21's rules.
/// </summary>
public class HandMadeTokenizerTests
{
    // ▁ = U+2581. Vocab: unk/bos/eos, the 256 byte tokens' needed subset, and a few pieces with merges.
    static readonly Dictionary<string, int> Vocab = new()
    {
        ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2, ["<0x0A>"] = 3, ["<0xF0>"] = 4, ["<0x9F>"] = 5, ["<0x98>"] = 6, ["<0x80>"] = 7,
        ["▁"] = 8, ["h"] = 9, ["i"] = 10, ["▁h"] = 11, ["▁hi"] = 12, ["a"] = 13, ["b"] = 14, ["ab"] = 15,
    };

    static string Json(object? normalizer, object? preTokenizer, bool byteFallback = true, object? decoder = null, object? model = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = new[]
            {
                new { id = 0, content = "<unk>", single_word = false, lstrip = false, rstrip = false, normalized = false, special = true },
                new { id = 1, content = "<s>", single_word = false, lstrip = false, rstrip = false, normalized = false, special = true },
                new { id = 2, content = "</s>", single_word = false, lstrip = false, rstrip = false, normalized = false, special = true },
            },
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = new
            {
                type = "TemplateProcessing",
                single = new object[] { new { SpecialToken = new { id = "<s>", type_id = 0 } }, new { Sequence = new { id = "A", type_id = 0 } } },
                pair = Array.Empty<object>(),
                special_tokens = new Dictionary<string, object> { ["<s>"] = new { id = "<s>", ids = new[] { 1 }, tokens = new[] { "<s>" } } },
            },
            ["decoder"] = decoder ?? new
            {
                type = "Sequence",
                decoders = new object[]
                {
                    new { type = "Replace", pattern = new { String = "▁" }, content = " " },
                    new { type = "ByteFallback" }, new { type = "Fuse" }, new { type = "Strip", content = " ", start = 1, stop = 0 },
                },
            },
            ["model"] = model ?? new
            {
                type = "BPE", dropout = (double?)null, unk_token = "<unk>", continuing_subword_prefix = (string?)null, end_of_word_suffix = (string?)null,
                fuse_unk = true, byte_fallback = byteFallback, ignore_merges = false, vocab = Vocab,
                merges = new[] { "▁ h", "▁h i", "a b" },
            },
        });

    static readonly object Llama2Normalizer = new
    {
        type = "Sequence",
        normalizers = new object[] { new { type = "Prepend", prepend = "▁" }, new { type = "Replace", pattern = new { String = " " }, content = "▁" } },
    };

    static PreTrainedTokenizerFast Load(string json, TempDir dir)
    {
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer.json"), json);
        return PreTrainedTokenizerFast.FromPretrained(dir.Path);
    }

    [Test]
    public void Llama2_style_prepends_the_metaspace_and_falls_back_to_bytes()
    {
        using var dir = new TempDir();
        var tok = Load(Json(Llama2Normalizer, null), dir);
        // "hi ab\n😀": ▁hi ▁ ab, then \n and the emoji as <0xNN> bytes; the BOS comes from the template.
        var enc = tok.Encode("hi ab\n😀");
        Assert.That(enc.Tokens, Is.EqualTo(new[] { "<s>", "▁hi", "▁", "ab", "<0x0A>", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>" }));
        Assert.That(enc.Ids, Is.EqualTo(new[] { 1, 12, 8, 15, 3, 4, 5, 6, 7 }));
        Assert.That(tok.Decode(enc.Ids, skipSpecialTokens: true), Is.EqualTo("hi ab\n😀"));
        // Without skipping, "<s>" is the first token, so Strip takes the space of "▁hi" only if it leads: it does not.
        Assert.That(tok.Decode(enc.Ids), Is.EqualTo("<s> hi ab\n😀"));
    }

    [Test]
    public void Unknown_characters_fuse_into_one_unk_without_byte_fallback()
    {
        using var dir = new TempDir();
        var tok = Load(Json(Llama2Normalizer, null, byteFallback: false), dir);
        Assert.That(tok.Encode("hi€€", addSpecialTokens: false).Ids, Is.EqualTo(new[] { 12, 0 }));
    }

    [Test]
    public void A_cut_byte_sequence_decodes_to_one_replacement_per_byte()
    {
        using var dir = new TempDir();
        var tok = Load(Json(Llama2Normalizer, null), dir);
        Assert.That(tok.Decode([11, 4, 5, 10]), Is.EqualTo("h\uFFFD\uFFFDi"));
    }

    [Test]
    public void Metaspace_first_prepends_only_at_the_start_of_the_input()
    {
        using var dir = new TempDir();
        var pre = new { type = "Metaspace", replacement = "▁", prepend_scheme = "first", split = false };
        var decoder = new { type = "Sequence", decoders = new object[] { new { type = "Metaspace", replacement = "▁", prepend_scheme = "first", split = false }, new { type = "ByteFallback" }, new { type = "Fuse" } } };
        var tok = Load(Json(null, pre, decoder: decoder), dir);
        Assert.That(tok.Encode("hi", addSpecialTokens: false).Tokens, Is.EqualTo(new[] { "▁hi" }));
        // After an added token the piece does not start the input, so no ▁ is prepended.
        Assert.That(tok.Encode("</s>hi", addSpecialTokens: false).Tokens, Is.EqualTo(new[] { "</s>", "h", "i" }));
        Assert.That(tok.Decode([12, 8, 15]), Is.EqualTo("hi ab"));
    }

    [Test]
    public void Split_behaviors_group_delimiters_as_tokenizers_does()
    {
        var piece = new Piece("a  b", true);
        List<(int, int)> spaces = [(1, 2), (2, 3)];
        string[] Run(SplitBehavior b, bool invert = false) => PreTokenizers.SplitBy(piece, spaces, b, invert).Select(p => p.Text).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(Run(SplitBehavior.Removed), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(Run(SplitBehavior.Isolated), Is.EqualTo(new[] { "a", " ", " ", "b" }));
            Assert.That(Run(SplitBehavior.Contiguous), Is.EqualTo(new[] { "a", "  ", "b" }));
            Assert.That(Run(SplitBehavior.MergedWithPrevious), Is.EqualTo(new[] { "a ", " ", "b" }));
            Assert.That(Run(SplitBehavior.MergedWithNext), Is.EqualTo(new[] { "a", " ", " b" }));
            Assert.That(Run(SplitBehavior.Removed, invert: true), Is.EqualTo(new[] { " ", " " }));
        });
    }

    [Test]
    public void Astral_letters_are_one_code_point_of_their_own_category_in_regex_splits()
    {
        // 𠀀 (U+20000, CJK Ext. B, category Lo) must match \p{L}+ together with the letters around it.
        var regex = new CodePointRegex(@"\p{L}+|\p{N}+|[^\s\p{L}\p{N}]+", "test", "test");
        var text = "a\U00020000b 😀1";
        var pieces = regex.Matches(text).Select(m => text[m.Start..m.End]).ToArray();
        Assert.That(pieces, Is.EqualTo(new[] { "a\U00020000b", "😀", "1" }));
    }

    [TestCase("e\u0301", "\u00e9", "e\u0301", "\u00e9", "e\u0301")]
    [TestCase("\ufb01", "\ufb01", "\ufb01", "fi", "fi")]
    [TestCase("\u1e9b\u0323", "\u1e9b\u0323", "\u017f\u0323\u0307", "\u1e69", "s\u0323\u0307")]
    [TestCase("\ud55c", "\ud55c", "\u1112\u1161\u11ab", "\ud55c", "\u1112\u1161\u11ab")]
    public void Unicode_normalization_forms_match_UAX15(string input, string nfc, string nfd, string nfkc, string nfkd)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Probe.Llm.Tokenizers.Unicode.UnicodeNormalizer.Normalize(input, System.Text.NormalizationForm.FormC), Is.EqualTo(nfc));
            Assert.That(Probe.Llm.Tokenizers.Unicode.UnicodeNormalizer.Normalize(input, System.Text.NormalizationForm.FormD), Is.EqualTo(nfd));
            Assert.That(Probe.Llm.Tokenizers.Unicode.UnicodeNormalizer.Normalize(input, System.Text.NormalizationForm.FormKC), Is.EqualTo(nfkc));
            Assert.That(Probe.Llm.Tokenizers.Unicode.UnicodeNormalizer.Normalize(input, System.Text.NormalizationForm.FormKD), Is.EqualTo(nfkd));
        });
    }

    [Test]
    public void Unknown_component_types_are_errors_naming_the_file_and_type()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<TokenizerFormatException>(() => Load(Json(new { type = "Precompiled", precompiled_charsmap = "" }, null), dir))!;
        Assert.That(e, Is.InstanceOf<ProbeException>());
        Assert.That(e.Message, Does.Contain("tokenizer.json").And.Contain("normalizer").And.Contain("'Precompiled'"));

        var p = Assert.Throws<TokenizerFormatException>(() => Load(Json(null, new { type = "UnicodeScripts" }), dir))!;
        Assert.That(p.Message, Does.Contain("pre_tokenizer").And.Contain("'UnicodeScripts'"));

        var m = Assert.Throws<TokenizerFormatException>(() => Load(Json(null, null, model: new { type = "Unigram", vocab = Array.Empty<object>() }), dir))!;
        Assert.That(m.Message, Does.Contain("model").And.Contain("'Unigram'"));
    }

    [Test]
    public void Dropout_a_bad_merge_and_a_missing_file_are_errors()
    {
        using var dir = new TempDir();
        var model = new { type = "BPE", dropout = 0.1, vocab = Vocab, merges = new[] { "a b" } };
        Assert.That(() => Load(Json(null, null, model: model), dir), Throws.TypeOf<TokenizerFormatException>().With.Message.Contains("dropout"));
        var badMerge = new { type = "BPE", vocab = Vocab, merges = new[] { "a z" } };
        Assert.That(() => Load(Json(null, null, model: badMerge), dir), Throws.TypeOf<TokenizerFormatException>().With.Message.Contains("merges[0]").And.Message.Contains("'z'"));
        Assert.That(() => PreTrainedTokenizerFast.FromPretrained(Path.Combine(dir.Path, "nowhere")),
            Throws.TypeOf<TokenizerFormatException>().With.Message.Contains("file not found"));
    }

    [Test]
    public void Chat_template_jinja_file_wins_and_a_template_list_gives_default()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "tokenizer_config.json"),
            """{"bos_token": {"content": "<s>"}, "chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}""");
        var tok = Load(Json(Llama2Normalizer, null), dir);
        Assert.That(tok.ChatTemplate, Is.EqualTo("D"));
        Assert.That(tok.BosTokenId, Is.EqualTo(1));
        File.WriteAllText(Path.Combine(dir.Path, "chat_template.jinja"), "J");
        Assert.That(PreTrainedTokenizerFast.FromPretrained(dir.Path).ChatTemplate, Is.EqualTo("J"));
    }
}
