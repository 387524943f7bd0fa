using System.Security.Cryptography;
using System.Text.Json;
using Probe.Core.Safetensors;

namespace Probe.Tests.Safetensors;

/// <summary>The fixture pipeline's real weight files open, load, and are the files cases.json describes.</summary>
public class FixtureWeightsTests
{
    static IEnumerable<TestCaseData> WeightFiles()
    {
        foreach (var set in Fixtures.SetsOfFormat("cases.json", format: null))
        {
            using var cases = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(set, "cases.json")));
            if (!cases.RootElement.TryGetProperty("weight_files", out var files)) continue;
            var pipeline = Path.Combine(set, cases.RootElement.TryGetProperty("pipeline_dir", out var p) ? p.GetString()! : "pipeline");
            foreach (var file in files.EnumerateObject().Where(f => f.Value.ValueKind == JsonValueKind.Object))
                yield return new TestCaseData(Path.Combine(pipeline, file.Name), file.Value.GetProperty("sha256").GetString(),
                        file.Value.GetProperty("bytes").GetInt64(), file.Value.GetProperty("tensors").GetInt32())
                    .SetArgDisplayNames($"{Fixtures.NameOf(set)}:{file.Name}");
        }
    }

    [TestCaseSource(nameof(WeightFiles))]
    public void Fixture_weights_match_their_recorded_hash_and_every_tensor_loads(string path, string sha256, long bytes, int tensors)
    {
        using (var stream = File.OpenRead(path))
            Assert.That(Convert.ToHexStringLower(SHA256.HashData(stream)), Is.EqualTo(sha256));
        Assert.That(new FileInfo(path).Length, Is.EqualTo(bytes));

        using var file = SafetensorsFile.Open(path);
        Assert.That(file.Tensors, Has.Count.EqualTo(tensors));
        foreach (var info in file.Tensors.Values)
        {
            using var t = file.Load(info);
            Assert.That(t.shape, Is.EqualTo(info.Shape), info.Name);
        }
    }

    [Test]
    public void The_fixture_pipeline_has_weight_files_to_check() =>
        Assert.That(WeightFiles().Count(), Is.GreaterThanOrEqualTo(3));
}
