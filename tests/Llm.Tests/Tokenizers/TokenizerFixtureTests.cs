using System.Collections.Concurrent;
using System.Text.Json;
using Probe.Llm.Tokenizers;

namespace Probe.Tests.Tokenizers;

/// <summary>
/// Every case of every tokenizer fixture set (tests/fixtures/llm/FORMAT.md, "Tokenizers"), named
/// "set/tokenizer/kind[i]": exact ids, tokens and decoded strings, as Hugging Face tokenizers (Rust) + transformers give.
/// </summary>
public class TokenizerFixtureTests
{
    const string File = "tokenizer_tests.json";
    static readonly ConcurrentDictionary<string, PreTrainedTokenizerFast> Loaded = new(StringComparer.Ordinal);

    static IEnumerable<TestCaseData> Cases(string kind)
    {
        foreach (var set in LlmFixtureSets.TokenizerSets())
        {
            var setName = LlmFixtureSets.SetName(set, File);
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(set, File)));
            var root = doc.RootElement;
            var dirs = root.GetProperty("tokenizers").EnumerateObject()
                .ToDictionary(t => t.Name, t => Path.Combine(set, t.Value.GetProperty("dir").GetString()!));
            var counters = new Dictionary<string, int>();
            if (!root.TryGetProperty($"{kind}_cases", out var cases)) continue;
            foreach (var c in cases.EnumerateArray())
            {
                var tokenizer = c.GetProperty("tokenizer").GetString()!;
                var index = counters.GetValueOrDefault(tokenizer);
                counters[tokenizer] = index + 1;
                yield return new TestCaseData(dirs[tokenizer], c.GetRawText()).SetName($"{setName}/{tokenizer}/{kind}[{index}]");
            }
        }
    }

    public static IEnumerable<TestCaseData> EncodeCases() => Cases("encode");
    public static IEnumerable<TestCaseData> DecodeCases() => Cases("decode");
    public static IEnumerable<TestCaseData> ChatCases() => Cases("chat");

    static PreTrainedTokenizerFast Tokenizer(string dir) => Loaded.GetOrAdd(dir, PreTrainedTokenizerFast.FromPretrained);

    static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    static string[] Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    [TestCaseSource(nameof(EncodeCases))]
    public void Encode_matches_the_reference(string dir, string json)
    {
        var tok = Tokenizer(dir);
        using var doc = JsonDocument.Parse(json);
        var c = doc.RootElement;
        var text = c.GetProperty("text").GetString()!;
        var ids = Ints(c.GetProperty("ids"));

        var plain = tok.Encode(text, addSpecialTokens: false);
        Assert.Multiple(() =>
        {
            Assert.That(plain.Ids, Is.EqualTo(ids), "ids (add_special_tokens=False)");
            Assert.That(plain.Tokens, Is.EqualTo(Strings(c.GetProperty("tokens"))), "tokens");
            Assert.That(tok.Encode(text, addSpecialTokens: true).Ids, Is.EqualTo(Ints(c.GetProperty("ids_with_special_tokens"))), "ids (add_special_tokens=True)");
            Assert.That(tok.Decode(ids), Is.EqualTo(c.GetProperty("decoded").GetString()), "decode(ids)");
            Assert.That(tok.Decode(ids, skipSpecialTokens: true), Is.EqualTo(c.GetProperty("decoded_skip_special_tokens").GetString()), "decode(ids, skip_special_tokens=True)");
        });
    }

    [TestCaseSource(nameof(DecodeCases))]
    public void Decode_matches_the_reference(string dir, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var c = doc.RootElement;
        var decoded = Tokenizer(dir).Decode(Ints(c.GetProperty("ids")), c.GetProperty("skip_special_tokens").GetBoolean());
        Assert.That(decoded, Is.EqualTo(c.GetProperty("decoded").GetString()));
    }

    // The template rendering is tested with the renderer; here only that the rendered prompt encodes as the reference's.
    [TestCaseSource(nameof(ChatCases))]
    public void Rendered_chat_encodes_as_the_reference(string dir, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var c = doc.RootElement;
        var encoding = Tokenizer(dir).Encode(c.GetProperty("rendered").GetString()!, addSpecialTokens: false);
        Assert.Multiple(() =>
        {
            Assert.That(encoding.Ids, Is.EqualTo(Ints(c.GetProperty("ids"))), "ids");
            Assert.That(encoding.Tokens, Is.EqualTo(Strings(c.GetProperty("tokens"))), "tokens");
        });
    }

    public static IEnumerable<TestCaseData> TokenizerEntries()
    {
        foreach (var set in LlmFixtureSets.TokenizerSets())
        {
            var setName = LlmFixtureSets.SetName(set, File);
            using var doc = JsonDocument.Parse(System.IO.File.ReadAllText(Path.Combine(set, File)));
            foreach (var t in doc.RootElement.GetProperty("tokenizers").EnumerateObject())
                yield return new TestCaseData(Path.Combine(set, t.Value.GetProperty("dir").GetString()!), t.Value.GetRawText())
                    .SetName($"{setName}/{t.Name}/config");
        }
    }

    [TestCaseSource(nameof(TokenizerEntries))]
    public void Special_tokens_and_clean_up_match_the_reference(string dir, string json)
    {
        var tok = Tokenizer(dir);
        using var doc = JsonDocument.Parse(json);
        var entry = doc.RootElement;
        var expected = entry.GetProperty("special_tokens_map");
        Assert.Multiple(() =>
        {
            foreach (var p in expected.EnumerateObject())
            {
                if (p.Name == "additional_special_tokens")
                    Assert.That(tok.AdditionalSpecialTokens, Is.EqualTo(Strings(p.Value)), p.Name);
                else
                    Assert.That(tok.SpecialTokensMap.GetValueOrDefault(p.Name), Is.EqualTo(p.Value.ValueKind == JsonValueKind.Object
                        ? p.Value.GetProperty("content").GetString() : p.Value.GetString()), p.Name);
            }
            Assert.That(tok.SpecialTokensMap.Keys, Is.SubsetOf(expected.EnumerateObject().Select(p => p.Name)), "no extra special tokens");
            Assert.That(tok.CleanUpTokenizationSpaces, Is.EqualTo(entry.GetProperty("clean_up_tokenization_spaces").GetBoolean()));
            if (tok.BosToken is not null) Assert.That(tok.BosTokenId, Is.Not.Null, "bos id");
            if (tok.EosToken is not null) Assert.That(tok.EosTokenId, Is.Not.Null, "eos id");
            if (entry.TryGetProperty("chat_template_source", out _))
                Assert.That(tok.ChatTemplate, Is.Not.Null.And.Not.Empty, "chat template");
        });
    }
}
