using System.Collections.Concurrent;
using System.Text.Json;
using Probe.Diffusion.Tokenizers;

namespace Probe.Tests;

/// <summary>
/// Tokenizers and tokenizer test tables from the fixture sets, each loaded once per test run (loading the 49k-token
/// vocabulary and 48k merges is the slow part, so every test shares them).
/// </summary>
public static class TokenizerFixtures
{
    static readonly ConcurrentDictionary<string, Lazy<CLIPTokenizer>> Tokenizers = new(StringComparer.Ordinal);

    /// <summary>The tokenizer of a pipeline's <c>tokenizer/</c> folder (or any tokenizer folder).</summary>
    public static CLIPTokenizer Load(string directory) =>
        Tokenizers.GetOrAdd(Path.GetFullPath(directory), d => new Lazy<CLIPTokenizer>(() => CLIPTokenizer.FromPretrained(d))).Value;

    /// <summary>The fixture folder shipped with the repository: real CLIP tables and SD 1.x / SD 2.x tokenizer folders.</summary>
    public static string ClipTokenizerDir => Path.Combine(Fixtures.Root, "clip-tokenizer");

    public static CLIPTokenizer Sd21 => Load(Path.Combine(ClipTokenizerDir, "sd21_tokenizer"));

    public static CLIPTokenizer Sd1 => Load(Path.Combine(ClipTokenizerDir, "sd1_tokenizer"));

    /// <summary>Every folder (under tests/fixtures and PROBE_EXTRA_FIXTURES) that holds a tokenizer_tests.json.</summary>
    public static IEnumerable<TestCaseData> HardPromptSets() =>
        Fixtures.SetsOfFormat("tokenizer_tests.json", format: null).SelectMany(d => new[]
        {
            new TestCaseData(d, HardPromptVariant.Sd21).SetArgDisplayNames(Fixtures.NameOf(d), "SD 2.x"),
            new TestCaseData(d, HardPromptVariant.Sd1).SetArgDisplayNames(Fixtures.NameOf(d), "SD 1.x"),
        });

    /// <summary>The cases of a tokenizer_tests.json.</summary>
    public static IReadOnlyList<HardPrompt> HardPrompts(string setDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(setDir, "tokenizer_tests.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new HardPrompt(
            c.GetProperty("index").GetInt32(),
            c.GetProperty("prompt").GetString()!,
            Ids(c, "hf_ids_sd21_config"),
            Ids(c, "hf_ids_sd1_config"))).ToArray();
    }

    /// <summary>Where two id sequences first differ, or -1 when they are equal.</summary>
    public static int FirstDifference(IReadOnlyList<long> expected, IReadOnlyList<long> actual)
    {
        var n = Math.Min(expected.Count, actual.Count);
        for (var i = 0; i < n; i++)
            if (expected[i] != actual[i]) return i;
        return expected.Count == actual.Count ? -1 : n;
    }

    public static string Format(IEnumerable<long> ids) => "[" + string.Join(", ", ids) + "]";

    static long[] Ids(JsonElement c, string name) => c.GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();
}

public enum HardPromptVariant { Sd21, Sd1 }

/// <summary>One prompt of tokenizer_tests.json with the ids (no bos/eos, untruncated) transformers 4.30.2 gave for it.</summary>
public sealed record HardPrompt(int Index, string Prompt, long[] Sd21Ids, long[] Sd1Ids)
{
    public long[] Ids(HardPromptVariant v) => v == HardPromptVariant.Sd21 ? Sd21Ids : Sd1Ids;
}
