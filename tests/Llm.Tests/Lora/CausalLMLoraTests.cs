using Probe.Core.Lora;
using Probe.Llm.Lora;
using Probe.Llm.Models;
using static TorchSharp.torch;

namespace Probe.Tests.Lora;

/// <summary>The decoder's LoRA targets: peft's module names, an adapter that acts, and a peft folder that round-trips.</summary>
public class CausalLMLoraTests
{
    static string ModelDir(string name) => Path.Combine(Fixtures.Root, "llm", "models", name);

    static Tensor Logits(DecoderForCausalLM model)
    {
        using var noGrad = no_grad();
        using var ids = tensor(new long[] { 5, 17, 42, 99, 3, 250, 7, 8 }, dtype: ScalarType.Int64).reshape(2, 4);
        return model.Forward(ids).Logits.detach().clone();
    }

    static void Perturb(LoraAdapter adapter)
    {
        using var noGrad = no_grad();
        using var g = new Generator(3);
        foreach (var (_, layer) in adapter.Layers) layer.B(adapter.Name).normal_(0, 0.2, generator: g);
    }

    [TestCase("qwen2-tiny")]
    [TestCase("llama-tiny")]
    [TestCase("qwen3-tiny")]
    public void Target_paths_are_the_transformers_module_names_peft_keys(string name)
    {
        using var model = AutoModelForCausalLM.FromPretrained(ModelDir(name));
        var modules = model.named_modules().Select(m => m.name).ToHashSet(StringComparer.Ordinal);
        var lora = CausalLMLora.Of(model);
        var layers = model.Config.NumHiddenLayers;
        Assert.Multiple(() =>
        {
            Assert.That(lora.TargetPaths, Has.Count.EqualTo(7 * layers));
            Assert.That(lora.TargetPaths.Keys, Is.SubsetOf(modules));
            Assert.That(lora.TargetPaths["model.layers.0.self_attn.q_proj"], Is.EqualTo(CausalLMLoraTargets.Attention));
            Assert.That(lora.TargetPaths[$"model.layers.{layers - 1}.mlp.down_proj"], Is.EqualTo(CausalLMLoraTargets.Mlp));
            Assert.That(lora.TargetPaths.Keys.Where(k => k.Contains("embed") || k.Contains("lm_head")), Is.Empty);
        });
    }

    [Test]
    public void A_fresh_adapter_leaves_the_logits_and_a_nonzero_B_changes_them_and_registers_its_parameters()
    {
        using var model = AutoModelForCausalLM.FromPretrained(ModelDir("qwen2-tiny"));
        using var before = Logits(model);
        var lora = CausalLMLora.Of(model);
        var adapter = lora.AddAdapter("attack", new CausalLMLoraConfig { Rank = 4, Alpha = 8, Targets = CausalLMLoraTargets.Attention }, initSeed: 1);
        using var fresh = Logits(model);
        Perturb(adapter);
        using var changed = Logits(model);
        double disabledDiff;
        using (adapter.Disabled())
        using (var disabled = Logits(model))
            disabledDiff = (disabled - before).abs().max().item<float>();
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(adapter.ModulePaths, Has.Count.EqualTo(4 * model.Config.NumHiddenLayers));
            Assert.That(fresh.equal(before).all().item<bool>(), Is.True, "B = 0: the model is unchanged");
            Assert.That((changed - before).abs().max().item<float>(), Is.GreaterThan(1e-3));
            Assert.That(disabledDiff, Is.EqualTo(0), "disabled adapter = the base model");
            Assert.That(names, Does.Contain("model.layers.0.self_attn.q_proj.lora_A.attack"), "the wrapper is registered, so to(device) and parameters() see it");
            Assert.That(model.parameters().Where(p => p.requires_grad).Count(), Is.EqualTo(2 * adapter.ModulePaths.Count), "only the adapter trains");
        });
    }

    [Test]
    public void Saving_as_a_peft_folder_and_loading_onto_a_fresh_model_gives_identical_logits()
    {
        using var dir = new TempDir();
        using var model = AutoModelForCausalLM.FromPretrained(ModelDir("qwen2-tiny"));
        var adapter = CausalLMLora.Of(model).AddAdapter("attack", new CausalLMLoraConfig { Rank = 4, Alpha = 8 }, initSeed: 1);
        Perturb(adapter);
        using var expected = Logits(model);
        CausalLMLora.Of(model).SaveAdapter("attack", dir.Path, "tiny");

        using var fresh = AutoModelForCausalLM.FromPretrained(ModelDir("qwen2-tiny"));
        var loaded = CausalLMLora.Of(fresh).LoadAdapter(dir.Path, "loaded");
        using var actual = Logits(fresh);
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(dir.Path, PeftAdapterFile.ConfigName)), Is.True);
            Assert.That(loaded.ModulePaths, Is.EquivalentTo(adapter.ModulePaths));
            Assert.That(loaded.Trainable, Is.False);
            Assert.That(actual.equal(expected).all().item<bool>(), Is.True, $"max diff {(actual - expected).abs().max().item<float>()}");
        });

        // Resuming: weights copied into an existing (fresh, B = 0) adapter give the same logits too.
        using var third = AutoModelForCausalLM.FromPretrained(ModelDir("qwen2-tiny"));
        CausalLMLora.Of(third).AddAdapter("attack", new CausalLMLoraConfig { Rank = 4, Alpha = 8 }, initSeed: 99);
        CausalLMLora.Of(third).LoadWeightsInto("attack", dir.Path);
        using var resumed = Logits(third);
        Assert.That(resumed.equal(expected).all().item<bool>(), Is.True);
    }
}
