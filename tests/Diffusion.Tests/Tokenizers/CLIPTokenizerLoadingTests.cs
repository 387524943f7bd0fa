using System.Text.Json;
using Probe.Core.Tokenizers;
using Probe.Diffusion.Tokenizers;

namespace Probe.Tests;

/// <summary>
/// Loading a tokenizer folder: a missing or malformed file fails with one <see cref="TokenizerFormatException"/> that
/// names the file and the problem. Uses a tiny synthetic tokenizer (byte alphabet, a few merges) so each case is fast.
/// </summary>
public class CLIPTokenizerLoadingTests
{
    string _dir = "";

    [SetUp]
    public void CreateFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), "probe-tokenizer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        WriteTinyTokenizer(_dir);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void A_tiny_well_formed_folder_loads_and_merges_by_rank()
    {
        var tokenizer = CLIPTokenizer.FromPretrained(_dir);
        Assert.That(tokenizer.Tokenize("hello"), Is.EqualTo(new[] { "hello</w>" }));
        Assert.That(tokenizer.Tokenize("he"), Is.EqualTo(new[] { "h", "e</w>" }));
        Assert.That(tokenizer.PadTokenId, Is.Zero);
    }

    [Test]
    public void Missing_folder_is_named()
    {
        var missing = Path.Combine(_dir, "nope");
        var e = Assert.Throws<TokenizerFormatException>(() => CLIPTokenizer.FromPretrained(missing));
        Assert.That(e!.File, Is.EqualTo(missing));
    }

    [TestCase("vocab.json")]
    [TestCase("merges.txt")]
    [TestCase("tokenizer_config.json")]
    public void Missing_required_file_is_named(string file)
    {
        File.Delete(Path.Combine(_dir, file));
        AssertFails(file, "file not found");
    }

    [Test]
    public void Special_tokens_map_is_optional()
    {
        File.Delete(Path.Combine(_dir, "special_tokens_map.json"));
        var tokenizer = CLIPTokenizer.FromPretrained(_dir);
        Assert.That(tokenizer.PadToken, Is.EqualTo("!"), "tokenizer_config.json's pad_token applies");
    }

    [Test]
    public void Vocab_that_is_not_json_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), "{\"a\": 1,");
        AssertFails("vocab.json", "not valid JSON");
    }

    [Test]
    public void Vocab_that_is_a_list_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), "[\"a\"]");
        AssertFails("vocab.json", "JSON object of token -> id");
    }

    [Test]
    public void Vocab_id_that_is_not_an_integer_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), "{\"a\": 1.5}");
        AssertFails("vocab.json", "token 'a' has id 1.5");
    }

    [Test]
    public void Vocab_id_used_twice_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), "{\"a\": 1, \"b\": 1}");
        AssertFails("vocab.json", "id 1 is used by both 'a' and 'b'");
    }

    [Test]
    public void Merges_without_version_header_are_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "merges.txt"), "h e\nl l\n");
        AssertFails("merges.txt", "#version");
    }

    [Test]
    public void Merge_line_without_two_symbols_is_reported_with_its_line_number()
    {
        File.WriteAllText(Path.Combine(_dir, "merges.txt"), "#version: 0.2\nh e\nl l o\n");
        AssertFails("merges.txt", "line 3");
    }

    [Test]
    public void Config_that_is_not_json_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), "model_max_length: 77");
        AssertFails("tokenizer_config.json", "not valid JSON");
    }

    [Test]
    public void Config_without_model_max_length_is_reported()
    {
        WriteConfig(c => c.Remove("model_max_length"));
        AssertFails("tokenizer_config.json", "no 'model_max_length'");
    }

    [Test]
    public void Config_with_transformers_unset_model_max_length_is_reported()
    {
        // What save_pretrained writes when no length was set (VERY_LARGE_INTEGER).
        WriteConfig(c => c["model_max_length"] = 1000000000000000019884624838656.0);
        AssertFails("tokenizer_config.json", "'model_max_length' is");
    }

    [Test]
    public void Special_token_of_the_wrong_type_is_reported()
    {
        WriteConfig(c => c["bos_token"] = 5);
        AssertFails("tokenizer_config.json", "'bos_token' is Number");
    }

    [Test]
    public void Missing_pad_token_is_reported()
    {
        WriteConfig(c => c["pad_token"] = null);
        File.WriteAllText(Path.Combine(_dir, "special_tokens_map.json"), "{}");
        AssertFails("tokenizer_config.json", "no pad_token");
    }

    [Test]
    public void Unknown_token_missing_from_the_vocabulary_is_reported()
    {
        WriteConfig(c => c["unk_token"] = "<unk>");
        File.WriteAllText(Path.Combine(_dir, "special_tokens_map.json"), "{}");
        AssertFails("tokenizer_config.json", "unk_token '<unk>' is not in vocab.json");
    }

    [Test]
    public void Special_tokens_map_overrides_the_config()
    {
        File.WriteAllText(Path.Combine(_dir, "special_tokens_map.json"), "{\"pad_token\": {\"content\": \"<|endoftext|>\", \"lstrip\": false, \"rstrip\": false}}");
        var tokenizer = CLIPTokenizer.FromPretrained(_dir);
        Assert.That((tokenizer.PadToken, tokenizer.PadTokenId), Is.EqualTo(("<|endoftext|>", tokenizer.EosTokenId)));
    }

    [Test]
    public void Added_tokens_take_the_ids_after_the_vocabulary_and_are_never_split()
    {
        var vocabSize = CLIPTokenizer.FromPretrained(_dir).VocabSize;
        File.WriteAllText(Path.Combine(_dir, "added_tokens.json"), $"{{\"<my-style>\": {vocabSize}}}");
        var tokenizer = CLIPTokenizer.FromPretrained(_dir);
        Assert.That(tokenizer.Encode("hello<my-style>"), Is.EqualTo(new[] { tokenizer.Encode("hello")[0], vocabSize }));
        Assert.That(tokenizer.VocabSize, Is.EqualTo(vocabSize + 1));
    }

    [Test]
    public void Added_token_with_a_gap_in_ids_is_reported()
    {
        File.WriteAllText(Path.Combine(_dir, "added_tokens.json"), "{\"<my-style>\": 99999}");
        AssertFails("added_tokens.json", "expected");
    }

    void AssertFails(string file, string problem)
    {
        var e = Assert.Throws<TokenizerFormatException>(() => CLIPTokenizer.FromPretrained(_dir));
        Assert.That(e!.File, Is.EqualTo(Path.Combine(_dir, file)), e.Message);
        Assert.That(e.Message, Does.StartWith(Path.Combine(_dir, file) + ": ").And.Contain(problem));
    }

    void WriteConfig(Action<Dictionary<string, object?>> edit)
    {
        var config = TinyConfig();
        edit(config);
        File.WriteAllText(Path.Combine(_dir, "tokenizer_config.json"), JsonSerializer.Serialize(config));
    }

    static Dictionary<string, object?> TinyConfig() => new()
    {
        ["model_max_length"] = 77,
        ["bos_token"] = new Dictionary<string, object> { ["__type"] = "AddedToken", ["content"] = "<|startoftext|>", ["lstrip"] = false, ["rstrip"] = false },
        ["eos_token"] = new Dictionary<string, object> { ["__type"] = "AddedToken", ["content"] = "<|endoftext|>", ["lstrip"] = false, ["rstrip"] = false },
        ["unk_token"] = new Dictionary<string, object> { ["__type"] = "AddedToken", ["content"] = "<|endoftext|>", ["lstrip"] = false, ["rstrip"] = false },
        ["pad_token"] = "!",
    };

    // CLIP's vocabulary layout shrunk to 516 entries: the byte alphabet, its end-of-word forms, four merges that
    // spell "hello</w>" (l+l, ll+o</w>, h+e, he+llo</w>), and the two markers.
    static void WriteTinyTokenizer(string dir)
    {
        var bytes = ByteAlphabet();
        string[] merges = ["l l", "ll o</w>", "h e", "he llo</w>"];
        var vocab = bytes.Concat(bytes.Select(b => b + "</w>"))
            .Concat(merges.Select(m => m.Replace(" ", "", StringComparison.Ordinal)))
            .Append("<|startoftext|>").Append("<|endoftext|>")
            .Select((token, id) => (token, id)).ToDictionary(x => x.token, x => x.id);
        File.WriteAllText(Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllText(Path.Combine(dir, "merges.txt"), "#version: 0.2\n" + string.Join("\n", merges) + "\n");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), JsonSerializer.Serialize(TinyConfig()));
        File.WriteAllText(Path.Combine(dir, "special_tokens_map.json"), "{\"pad_token\": \"!\"}");
    }

    // GPT-2's byte order: printable bytes as themselves, the rest from U+0100 on.
    static List<string> ByteAlphabet()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1).Concat(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1)).Concat(Enumerable.Range(0xAE, 0xFF - 0xAE + 1)).ToList();
        var chars = printable.Select(b => ((char)b).ToString()).ToList();
        var next = 256;
        for (var b = 0; b < 256; b++)
            if (!printable.Contains(b)) chars.Add(((char)next++).ToString());
        return chars;
    }
}
