using System.Security.Cryptography;
using System.Text.Json;

namespace Probe.Tests;

/// <summary>Every file an LLM fixture set lists is present with the SHA-256 the generator recorded.</summary>
public class FixtureIntegrityTests
{
    public static IEnumerable<TestCaseData> ListedFiles()
    {
        foreach (var set in LlmFixtureSets.ModelSets())
        {
            var name = LlmFixtureSets.SetName(set, "cases.json");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(set, "cases.json")));
            var root = doc.RootElement;
            foreach (var file in root.GetProperty("files").EnumerateObject())
                yield return Case(name, set, file.Name, file.Value);
            foreach (var model in root.GetProperty("models").EnumerateObject())
            {
                var dir = model.Value.GetProperty("dir").GetString()!;
                foreach (var file in model.Value.GetProperty("files").EnumerateObject())
                    yield return Case(name, set, Path.Combine(dir, file.Name), file.Value);
            }
        }
        foreach (var set in LlmFixtureSets.TokenizerSets())
        {
            var name = LlmFixtureSets.SetName(set, "tokenizer_tests.json");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(set, "tokenizer_tests.json")));
            foreach (var tok in doc.RootElement.GetProperty("tokenizers").EnumerateObject())
            {
                var dir = tok.Value.GetProperty("dir").GetString()!;
                foreach (var file in tok.Value.GetProperty("files").EnumerateObject())
                    yield return Case(name, set, Path.Combine(dir, file.Name), file.Value);
            }
        }
    }

    static TestCaseData Case(string setName, string setDir, string relative, JsonElement entry) =>
        new TestCaseData(Path.Combine(setDir, relative), entry.GetProperty("sha256").GetString())
            .SetName($"{setName}/{relative.Replace('\\', '/')}");

    [TestCaseSource(nameof(ListedFiles))]
    public void Listed_file_has_its_recorded_hash(string path, string sha256)
    {
        Assert.That(File.Exists(path), Is.True, $"{path} is listed by its fixture set but missing");
        using var stream = File.OpenRead(path);
        Assert.That(Convert.ToHexStringLower(SHA256.HashData(stream)), Is.EqualTo(sha256), path);
    }

    [Test]
    public void The_repository_holds_at_least_one_model_and_one_tokenizer_set()
    {
        Assert.That(LlmFixtureSets.ModelSets().Count(), Is.GreaterThanOrEqualTo(1));
        Assert.That(LlmFixtureSets.TokenizerSets().Count(), Is.GreaterThanOrEqualTo(1));
    }
}
