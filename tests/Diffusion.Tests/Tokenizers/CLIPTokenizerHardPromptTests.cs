
using Probe.Core.Safetensors;

namespace Probe.Tests;

/// <summary>
/// The 32 hard prompts of tokenizer_tests.json (punctuation, numbers, accents, CJK, emoji, contractions, prompt-weight
/// syntax, literal special tokens, whitespace, mojibake, ligatures, full-width, curly quotes, HTML entities, empty,
/// truncation) against transformers 4.30.2 + ftfy 6.1.1, with the SD 2.x and the SD 1.x tokenizer configs.
/// </summary>
public class CLIPTokenizerHardPromptTests
{
    /// <summary>
    /// Prompts whose ids are known to differ from the reference, by variant and prompt text, with the reason. Empty:
    /// every prompt matches. A prompt listed here that starts matching fails the test, so the list stays true.
    /// </summary>
    static readonly Dictionary<(HardPromptVariant, string), string> KnownDifferences = [];

    [TestCaseSource(typeof(TokenizerFixtures), nameof(TokenizerFixtures.HardPromptSets))]
    public void Every_hard_prompt_tokenizes_as_transformers(string setDir, HardPromptVariant variant)
    {
        var tokenizer = TokenizerFixtures.Load(Path.Combine(setDir, variant == HardPromptVariant.Sd21 ? "sd21_tokenizer" : "sd1_tokenizer"));
        var prompts = TokenizerFixtures.HardPrompts(setDir);
        var unexpected = new List<string>();
        var matches = 0;
        foreach (var p in prompts)
        {
            var actual = tokenizer.Encode(p.Prompt).Select(i => (long)i).ToArray();
            var diff = TokenizerFixtures.FirstDifference(p.Ids(variant), actual);
            var known = KnownDifferences.TryGetValue((variant, p.Prompt), out var reason);
            if (diff < 0) matches++;
            if (diff < 0 && known)
                unexpected.Add($"#{p.Index} now matches but is listed as a known difference ({reason}); remove it from the list");
            else if (diff >= 0 && !known)
                unexpected.Add($"#{p.Index} {Quote(p.Prompt)}: first difference at token {diff}\n  expected {TokenizerFixtures.Format(p.Ids(variant))}\n  actual   {TokenizerFixtures.Format(actual)}");
        }
        TestContext.Out.WriteLine($"{Fixtures.NameOf(setDir)} {variant}: {matches}/{prompts.Count} prompts match transformers");
        Assert.That(unexpected, Is.Empty, () => string.Join("\n", unexpected));
    }

    [TestCaseSource(typeof(TokenizerFixtures), nameof(TokenizerFixtures.HardPromptSets))]
    public void Every_hard_prompt_encodes_for_the_pipeline_as_diffusers(string setDir, HardPromptVariant variant)
    {
        var tokenizer = TokenizerFixtures.Load(Path.Combine(setDir, variant == HardPromptVariant.Sd21 ? "sd21_tokenizer" : "sd1_tokenizer"));
        var prompts = TokenizerFixtures.HardPrompts(setDir);
        // The [prompts, 77] tensors diffusers' tokenizer call produced, stored next to the JSON.
        using var file = SafetensorsFile.Open(Path.Combine(setDir, "tokenizer_tests.safetensors"));
        using var tensor = file.Load(variant == HardPromptVariant.Sd21 ? "input_ids_sd21" : "input_ids_sd1");
        Assert.That(tensor.shape, Is.EqualTo(new long[] { prompts.Count, tokenizer.ModelMaxLength }));
        var expected = tensor.data<long>().ToArray();

        var failures = new List<string>();
        for (var i = 0; i < prompts.Count; i++)
        {
            var p = prompts[i];
            if (KnownDifferences.ContainsKey((variant, p.Prompt))) continue;
            var row = expected.AsSpan(i * tokenizer.ModelMaxLength, tokenizer.ModelMaxLength).ToArray();
            var actual = tokenizer.EncodePrompt(p.Prompt);
            var diff = TokenizerFixtures.FirstDifference(row, actual.InputIds);
            if (diff >= 0)
                failures.Add($"#{p.Index} {Quote(p.Prompt)}: first difference at position {diff}\n  expected {TokenizerFixtures.Format(row)}\n  actual   {TokenizerFixtures.Format(actual.InputIds)}");
            if (actual.IsTruncated != p.Ids(variant).Length > tokenizer.ModelMaxLength - 2)
                failures.Add($"#{p.Index}: IsTruncated is {actual.IsTruncated} for {p.Ids(variant).Length} prompt tokens");
        }
        Assert.That(failures, Is.Empty, () => string.Join("\n", failures));
    }

    static string Quote(string s) => "\"" + (s.Length > 60 ? s[..60] + "…" : s).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
