using System.Text.Json;

namespace Probe.Tests;

/// <summary>
/// LLM reference fixture sets (tests/fixtures/llm/FORMAT.md): folders whose cases.json / tokenizer_tests.json carry the
/// LLM "format" key. Stable Diffusion sets use the same file names without that key and are skipped.
/// </summary>
public static class LlmFixtureSets
{
    public const string ModelFormat = "golden-llm fixtures v1";
    public const string TokenizerFormat = "golden-llm tokenizer tests v1";

    /// <summary>Every set whose cases.json is an LLM model-fixture file.</summary>
    public static IEnumerable<string> ModelSets() => Fixtures.SetsOfFormat("cases.json", ModelFormat);

    /// <summary>Every set whose tokenizer_tests.json is an LLM tokenizer-fixture file.</summary>
    public static IEnumerable<string> TokenizerSets() => Fixtures.SetsOfFormat("tokenizer_tests.json", TokenizerFormat);

    /// <summary>The set's own name (the file's "set" key, else its folder), for test names.</summary>
    public static string SetName(string setDir, string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(setDir, file)));
        return doc.RootElement.TryGetProperty("set", out var s) && s.ValueKind == JsonValueKind.String
            ? s.GetString()!
            : Fixtures.NameOf(setDir);
    }
}
