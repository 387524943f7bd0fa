using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Core;
using Probe.Core.Safetensors;
using Probe.Llm.Models;
using static TorchSharp.torch;

namespace Probe.Tests.Models;

/// <summary>Loading: errors named by file and item, tied embeddings as one tensor, sharded and bf16-stored folders.</summary>
public class LoadingTests
{
    static (LlmFixture Fixture, string Model) First(Func<JsonElement, bool> where) =>
        LlmFixture.Models().First(m => where(m.Fixture.ModelConfig(m.Model)));

    static (LlmFixture Fixture, string Model) AnyModel => LlmFixture.Models().First();

    /// <summary>A copy of a fixture model folder with its config edited and its tensors transformed.</summary>
    static string CopyModel(TempDir temp, (LlmFixture Fixture, string Model) m, Action<JsonObject>? config = null,
                            Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>>? tensors = null)
    {
        var source = m.Fixture.ModelDir(m.Model);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "config.json")))!.AsObject();
        config?.Invoke(json);
        File.WriteAllText(temp.File("config.json"), json.ToJsonString());
        using var scope = NewDisposeScope();
        using var ckpt = Checkpoint.OpenFile(Path.Combine(source, "model.safetensors"));
        var all = ckpt.Names.ToDictionary(n => n, n => ckpt.Load(n), StringComparer.Ordinal);
        if (tensors is not null) all = tensors(all);
        SafetensorsWriter.Write(temp.File("model.safetensors"), all);
        return temp.Path;
    }

    static ProbeException LoadFails(string folder) =>
        Assert.Throws(Is.InstanceOf<ProbeException>(), () => AutoModelForCausalLM.FromPretrained(folder).Dispose()) as ProbeException
        ?? throw new AssertionException("no exception");

    [Test]
    public void Unknown_architecture_is_refused_by_name()
    {
        using var temp = new TempDir();
        var folder = CopyModel(temp, AnyModel, c => c["architectures"] = new JsonArray("MysteryForCausalLM"));
        var e = LoadFails(folder);
        Assert.That(e.Message, Does.Contain("MysteryForCausalLM").And.Contain("config.json"));
    }

    [Test]
    public void Unknown_model_type_is_refused_by_name()
    {
        using var temp = new TempDir();
        var folder = CopyModel(temp, AnyModel, c => { c["model_type"] = "gpt2"; c.Remove("architectures"); });
        Assert.That(LoadFails(folder).Message, Does.Contain("gpt2").And.Contain("config.json"));
    }

    [Test]
    public void Unknown_rope_type_is_refused_by_name()
    {
        using var temp = new TempDir();
        var folder = CopyModel(temp, AnyModel, c => c["rope_scaling"] = new JsonObject { ["rope_type"] = "yarn", ["factor"] = 4.0 });
        Assert.That(LoadFails(folder).Message, Does.Contain("yarn").And.Contain("rope_scaling"));
    }

    [Test]
    public void Missing_tensor_is_named()
    {
        using var temp = new TempDir();
        const string name = "model.layers.0.mlp.up_proj.weight";
        var folder = CopyModel(temp, AnyModel, tensors: t => { t.Remove(name); return t; });
        Assert.That(LoadFails(folder).Message, Does.Contain(name).And.Contain("missing").And.Contain("model.safetensors"));
    }

    [Test]
    public void Wrongly_shaped_tensor_is_named()
    {
        using var temp = new TempDir();
        const string name = "model.norm.weight";
        var folder = CopyModel(temp, AnyModel, tensors: t => { t[name] = ones(3); return t; });
        Assert.That(LoadFails(folder).Message, Does.Contain(name).And.Contain("shape"));
    }

    [Test]
    public void Unexpected_tensor_is_named()
    {
        using var temp = new TempDir();
        const string name = "model.layers.0.self_attn.rotary_emb.extra";
        var folder = CopyModel(temp, AnyModel, tensors: t => { t[name] = ones(3); return t; });
        Assert.That(LoadFails(folder).Message, Does.Contain(name).And.Contain("unexpected"));
    }

    [Test]
    public void Tied_lm_head_is_the_embedding_tensor_itself()
    {
        var m = First(c => c.TryGetProperty("tie_word_embeddings", out var t) && t.GetBoolean());
        var model = m.Fixture.Model(m.Model);
        Assert.That(model.lm_head, Is.Null);
        Assert.That(SharesStorage(model.LmHeadWeight, model.model.embed_tokens.weight!), Is.True);
        Assert.That(model.named_parameters().Select(p => p.name), Has.None.StartsWith("lm_head"));
    }

    /// <summary>Writes through one tensor and reads through the other (then restores it): true only for one storage.</summary>
    static bool SharesStorage(Tensor a, Tensor b)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var before = b[0, 0].item<float>();
        a[0, 0].add_(1f);
        var after = b[0, 0].item<float>();
        a[0, 0].sub_(1f);
        return after != before;
    }

    [Test]
    public void Untied_lm_head_is_its_own_tensor()
    {
        var m = First(c => !(c.TryGetProperty("tie_word_embeddings", out var t) && t.GetBoolean()));
        var model = m.Fixture.Model(m.Model);
        Assert.That(model.lm_head, Is.Not.Null);
        Assert.That(SharesStorage(model.LmHeadWeight, model.model.embed_tokens.weight!), Is.False);
    }

    [Test]
    public void Sharded_folder_gives_the_same_logits()
    {
        var m = AnyModel;
        using var temp = new TempDir();
        var source = m.Fixture.ModelDir(m.Model);
        File.Copy(Path.Combine(source, "config.json"), temp.File("config.json"));
        using (var scope = NewDisposeScope())
        using (var ckpt = Checkpoint.OpenFile(Path.Combine(source, "model.safetensors")))
        {
            var names = ckpt.Names.Order(StringComparer.Ordinal).ToArray();
            var shards = new[] { names[..(names.Length / 2)], names[(names.Length / 2)..] };
            var map = new JsonObject();
            for (var s = 0; s < 2; s++)
            {
                var file = $"model-{s + 1:D5}-of-00002.safetensors";
                SafetensorsWriter.Write(temp.File(file), shards[s].Select(n => KeyValuePair.Create(n, ckpt.Load(n))));
                foreach (var n in shards[s]) map[n] = file;
            }
            File.WriteAllText(temp.File("model.safetensors.index.json"), new JsonObject { ["metadata"] = new JsonObject(), ["weight_map"] = map }.ToJsonString());
        }
        using var sharded = AutoModelForCausalLM.FromPretrained(temp.Path);
        using var scope2 = NewDisposeScope();
        var ids = arange(1L, 9L, dtype: ScalarType.Int64).unsqueeze(0);
        var expected = m.Fixture.Model(m.Model).Forward(ids).Logits;
        Assert.That(sharded.Forward(ids).Logits.equal(expected).all().item<bool>(), Is.True);
    }

    [Test]
    public void Bf16_stored_weights_load_converted_to_the_requested_dtype()
    {
        var m = AnyModel;
        using var temp = new TempDir();
        var folder = CopyModel(temp, m, tensors: t => t.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.BFloat16)));
        using var model = AutoModelForCausalLM.FromPretrained(folder, CPU, ScalarType.Float32);
        using var scope = NewDisposeScope();
        var reference = m.Fixture.Model(m.Model).named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.That(p.dtype, Is.EqualTo(ScalarType.Float32), name);
            Assert.That(p.equal(reference[name].to(ScalarType.BFloat16).to(ScalarType.Float32)).all().item<bool>(), Is.True, name);
        }
        using var bf16 = AutoModelForCausalLM.FromPretrained(folder, CPU, ScalarType.BFloat16);
        var logits = bf16.Forward(arange(1L, 6L, dtype: ScalarType.Int64).unsqueeze(0)).Logits;
        Assert.That(logits.dtype, Is.EqualTo(ScalarType.BFloat16));
        Assert.That(logits.isfinite().all().item<bool>(), Is.True);
    }

    [Test]
    public void Sliding_window_of_one_makes_every_token_attend_only_to_itself()
    {
        // transformers 4.51's mask hides key j from query i when j <= i - window; window 1 leaves only j = i, so each
        // position's logits equal a one-token forward of that token (RoPE at equal positions is the identity on q.k).
        var m = First(c => c.GetProperty("model_type").GetString() is "qwen2" or "qwen3");
        using var temp = new TempDir();
        var folder = CopyModel(temp, m, c => c["sliding_window"] = 1);
        using var model = AutoModelForCausalLM.FromPretrained(folder);
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 5, 17, 3, 42 }, [1L, 4L]);
        var logits = model.Forward(ids).Logits;
        for (var i = 0; i < 4; i++)
        {
            var single = model.Forward(ids.narrow(1, i, 1)).Logits;
            Assert.That(logits.narrow(1, i, 1).allclose(single, 1e-5, 1e-5), Is.True, $"position {i}");
        }
        using var wide = AutoModelForCausalLM.FromPretrained(CopyModel(new TempDir(), m, c => c["sliding_window"] = 64));
        Assert.That(wide.Forward(ids).Logits.allclose(m.Fixture.Model(m.Model).Forward(ids).Logits, 0, 0), Is.True, "a window wider than the input changes nothing");
    }
}
