using System.Text.Json.Nodes;
using Probe.Core.Lora;
using Probe.Core.Safetensors;
using Probe.Core.Torch;
using Probe.Llm.Lora;
using static TorchSharp.torch;

namespace Probe.Tests.Lora;

/// <summary>peft's adapter folder layout: what Probe writes, it reads back exactly; what it cannot compute, it refuses.</summary>
public class PeftAdapterFileTests
{
    /// <summary>Two projections named as a transformers decoder layer names them.</summary>
    sealed class TwoProjections : nn.Module<Tensor, Tensor>
    {
        public nn.Module<Tensor, Tensor> q_proj = nn.Linear(6, 4, hasBias: false);
        public nn.Module<Tensor, Tensor> down_proj = nn.Linear(4, 6, hasBias: false);

        public TwoProjections() : base(nameof(TwoProjections)) => RegisterComponents();

        public override Tensor forward(Tensor x) => down_proj.forward(q_proj.forward(x));

        public IEnumerable<LoraTarget> Targets() =>
        [
            new("model.layers.0.self_attn.q_proj", 1, () => q_proj, m => { q_proj = m; ModuleRegistration.Replace(this, "q_proj", m); }),
            new("model.layers.0.mlp.down_proj", 2, () => down_proj, m => { down_proj = m; ModuleRegistration.Replace(this, "down_proj", m); }),
        ];
    }

    static (TwoProjections Model, LoraStack Stack, LoraAdapter Adapter) Adapted(int rank = 2, double alpha = 4)
    {
        var model = new TwoProjections();
        var stack = new LoraStack(model, model.Targets());
        var adapter = stack.AddAdapter("attack", rank, alpha, dropout: 0.05, groups: 3, initSeed: 7);
        using (no_grad())
            foreach (var (_, layer) in adapter.Layers) layer.B("attack").normal_(0, 0.5);
        return (model, stack, adapter);
    }

    [Test]
    public void Save_writes_peft_keys_and_config_and_read_returns_the_same_weights()
    {
        using var dir = new TempDir();
        var (_, stack, adapter) = Adapted();
        PeftAdapterFile.Save(adapter, dir.Path, "Qwen/Qwen2.5-0.5B-Instruct");

        using (var file = SafetensorsFile.Open(Path.Combine(dir.Path, PeftAdapterFile.WeightsName)))
            Assert.That(file.Tensors.Keys.Order(StringComparer.Ordinal), Is.EqualTo(new[]
            {
                "base_model.model.model.layers.0.mlp.down_proj.lora_A.weight", "base_model.model.model.layers.0.mlp.down_proj.lora_B.weight",
                "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
            }));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, PeftAdapterFile.ConfigName)))!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(config["peft_type"]!.GetValue<string>(), Is.EqualTo("LORA"));
            Assert.That(config["task_type"]!.GetValue<string>(), Is.EqualTo("CAUSAL_LM"));
            Assert.That(config["r"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(config["lora_alpha"]!.GetValue<int>(), Is.EqualTo(4));
            Assert.That(config["lora_dropout"]!.GetValue<double>(), Is.EqualTo(0.05));
            Assert.That(config["base_model_name_or_path"]!.GetValue<string>(), Is.EqualTo("Qwen/Qwen2.5-0.5B-Instruct"));
            Assert.That(config["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()),
                Is.EqualTo(new[] { "model.layers.0.mlp.down_proj", "model.layers.0.self_attn.q_proj" }));
        }

        var (modules, dropout) = PeftAdapterFile.Read(dir.Path, stack.TargetPaths);
        Assert.That(dropout, Is.EqualTo(0.05));
        var original = adapter.Export();
        foreach (var m in modules)
        {
            var o = original.Single(x => x.ModulePath == m.ModulePath);
            Assert.That(m.Alpha, Is.EqualTo(4));
            Assert.That(m.A.allclose(o.A, rtol: 0, atol: 0) && m.B.allclose(o.B, rtol: 0, atol: 0), Is.True, m.ModulePath);
        }
    }

    [Test]
    public void A_loaded_adapter_computes_what_the_saved_one_did()
    {
        using var dir = new TempDir();
        var (model, _, adapter) = Adapted(rank: 3, alpha: 5);
        model.eval();
        var x = randn(2, 6, generator: new Generator(3));
        var expected = model.forward(x).detach();
        PeftAdapterFile.Save(adapter, dir.Path, null);

        var fresh = new TwoProjections();
        fresh.load_state_dict(new Dictionary<string, Tensor>
        {
            ["q_proj.weight"] = ((LoraLayer)model.q_proj).BaseWeight.detach(),
            ["down_proj.weight"] = ((LoraLayer)model.down_proj).BaseWeight.detach(),
        });
        var stack = new LoraStack(fresh, fresh.Targets());
        var (modules, _) = PeftAdapterFile.Read(dir.Path, stack.TargetPaths);
        stack.LoadAdapter(modules, dir.Path, "loaded");
        fresh.eval();
        Assert.That(fresh.forward(x).allclose(expected, rtol: 0, atol: 1e-6), Is.True);
    }

    [TestCase("use_dora", "true", "use_dora is true")]
    [TestCase("peft_type", "\"IA3\"", "LORA adapters only")]
    [TestCase("r", "3", "rank 2 where adapter_config.json gives 3")]
    [TestCase("bias", "\"all\"", "bias is 'all'")]
    public void Adapters_Probe_cannot_compute_are_refused_naming_the_file(string key, string value, string problem)
    {
        using var dir = new TempDir();
        var (_, stack, adapter) = Adapted();
        PeftAdapterFile.Save(adapter, dir.Path, null);
        var path = Path.Combine(dir.Path, PeftAdapterFile.ConfigName);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config[key] = JsonNode.Parse(value);
        File.WriteAllText(path, config.ToJsonString());
        var e = Assert.Throws<LoraFormatException>(() => PeftAdapterFile.Read(dir.Path, stack.TargetPaths));
        Assert.That(e!.Message, Does.Contain(problem).And.Contain(dir.Path));
    }

    [Test]
    public void Tensors_for_modules_the_model_lacks_are_refused()
    {
        using var dir = new TempDir();
        var (_, _, adapter) = Adapted();
        PeftAdapterFile.Save(adapter, dir.Path, null);
        var e = Assert.Throws<LoraFormatException>(() => PeftAdapterFile.Read(dir.Path, ["model.layers.0.self_attn.q_proj"]));
        Assert.That(e!.Message, Does.Contain("name no module of this model").And.Contain("down_proj"));
    }

    [Test]
    public void A_folder_without_its_config_is_refused()
    {
        using var dir = new TempDir();
        var (_, stack, adapter) = Adapted();
        PeftAdapterFile.Save(adapter, dir.Path, null);
        File.Delete(Path.Combine(dir.Path, PeftAdapterFile.ConfigName));
        var e = Assert.Throws<LoraFormatException>(() => PeftAdapterFile.Read(dir.Path, stack.TargetPaths));
        Assert.That(e!.Message, Does.Contain("adapter_config.json"));
    }
}
