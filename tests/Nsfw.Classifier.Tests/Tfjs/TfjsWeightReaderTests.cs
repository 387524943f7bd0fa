using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Probe.Nsfw.Classifier.Nsfwjs;
using Probe.Nsfw.Classifier.Tfjs;

namespace Probe.Tests.Tfjs;

public class TfjsWeightReaderTests
{
    [TestCase("mobilenet_v2")]
    [TestCase("mobilenet_v2_mid")]
    [TestCase("inception_v3")]
    public void Every_bundled_weight_dequantises_bit_for_bit_like_tfjs(string model)
    {
        var folder = Path.Combine(Fixtures.RepoRoot, "models", "nsfwjs", model);
        var check = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "weights_check.json")))!["weights"]!.AsArray();
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "model.json")))!;
        var weights = TfjsWeightReader.Read(Path.Combine(folder, "model.json"), root["weightsManifest"]);
        Assert.That(weights, Has.Count.EqualTo(check.Count));
        var mismatches = check.Where(c =>
        {
            var w = weights[c!["name"]!.GetValue<string>()];
            var hash = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(w.Values.AsSpan())));
            return hash != c["sha256_f32le"]!.GetValue<string>();
        }).Select(c => c!["name"]!.GetValue<string>()).ToArray();
        Assert.That(mismatches, Is.Empty, $"{model}: weights whose float32 values differ from tfjs's");
    }

    [Test]
    public void Uint8_uint16_and_float16_codes_dequantise_as_tfjs_does()
    {
        using var folder = new TempDir();
        // uint8: codes 0, 1, 255 with min -1, scale 0.1 → float32(q*0.1 - 1) computed in float64.
        // uint16: codes 0, 65535 with min 0.5, scale 1e-4. float16: 1.5, -2.25 (exact in half precision).
        var shard = new List<byte> { 0, 1, 255 };
        shard.AddRange(BitConverter.GetBytes((ushort)0));
        shard.AddRange(BitConverter.GetBytes((ushort)65535));
        shard.AddRange(BitConverter.GetBytes((Half)1.5f));
        shard.AddRange(BitConverter.GetBytes((Half)(-2.25f)));
        shard.AddRange(BitConverter.GetBytes(3.25f));
        File.WriteAllBytes(folder.File("group1-shard1of1"), shard.ToArray());
        var manifest = JsonNode.Parse("""
            [{"paths": ["group1-shard1of1"], "weights": [
              {"name": "a", "shape": [3], "dtype": "float32", "quantization": {"dtype": "uint8", "min": -1, "scale": 0.1}},
              {"name": "b", "shape": [2], "dtype": "float32", "quantization": {"dtype": "uint16", "min": 0.5, "scale": 0.0001}},
              {"name": "c", "shape": [1, 2], "dtype": "float32", "quantization": {"dtype": "float16"}},
              {"name": "d", "shape": [], "dtype": "float32"}]}]
            """);
        var w = TfjsWeightReader.Read(folder.File("model.json"), manifest);
        Assert.That(w["a"].Values, Is.EqualTo(new[] { (float)(0 * 0.1 - 1), (float)(1 * 0.1 - 1), (float)(255 * 0.1 - 1) }));
        Assert.That(w["b"].Values, Is.EqualTo(new[] { 0.5f, (float)(65535 * 0.0001 + 0.5) }));
        Assert.That(w["c"].Values, Is.EqualTo(new[] { 1.5f, -2.25f }));
        Assert.That((w["c"].Shape, w["d"].Values), Is.EqualTo((new long[] { 1, 2 }, new[] { 3.25f })));
    }

    [Test]
    public void A_manifest_that_does_not_fit_the_shards_names_the_weight()
    {
        using var folder = new TempDir();
        File.WriteAllBytes(folder.File("group1-shard1of1"), new byte[10]);
        var manifest = JsonNode.Parse("""[{"paths": ["group1-shard1of1"], "weights": [{"name": "conv/kernel", "shape": [4, 4], "dtype": "float32"}]}]""");
        var e = Assert.Throws<TfjsModelException>(() => TfjsWeightReader.Read(folder.File("model.json"), manifest));
        Assert.That(e!.Message, Does.Contain("model.json: weight 'conv/kernel': needs bytes 0..64 but the shards end at 10"));
    }

    [Test]
    public void Unsupported_quantisation_is_named()
    {
        using var folder = new TempDir();
        File.WriteAllBytes(folder.File("s"), new byte[4]);
        var manifest = JsonNode.Parse("""[{"paths": ["s"], "weights": [{"name": "w", "shape": [4], "dtype": "float32", "quantization": {"dtype": "int4"}}]}]""");
        var e = Assert.Throws<TfjsModelException>(() => TfjsWeightReader.Read(folder.File("model.json"), manifest));
        Assert.That(e!.Message, Does.Contain("weight 'w': quantization dtype 'int4' is not supported"));
    }

    [Test]
    public void The_bundled_models_are_found_next_to_the_assembly()
    {
        var root = NsfwjsModelLocator.FindRoot();
        Assert.That(root, Does.StartWith(AppContext.BaseDirectory.TrimEnd('/')));
        Assert.That(File.Exists(Path.Combine(root, "LICENSE-nsfwjs")), "the licence travels with the models");
    }
}
