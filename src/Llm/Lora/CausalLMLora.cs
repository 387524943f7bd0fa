using System.Runtime.CompilerServices;
using Probe.Core.Lora;
using Probe.Llm.Models;
using TorchSharp.Modules;

namespace Probe.Llm.Lora;

/// <summary>
/// The LoRA adapters of one decoder-only chat model, stacked (a frozen adapter under a trainable attack adapter, say),
/// over the seven linear projections of every decoder layer, named as transformers names the modules and peft keys
/// them (<c>model.layers.{i}.self_attn.q_proj</c>, <c>model.layers.{i}.mlp.down_proj</c>), so an adapter saved here
/// loads with <c>PeftModel.from_pretrained</c> and the reverse. The (tied) embeddings and the head are never adapted.
/// One instance per model (<see cref="Of"/>), so every caller sees the same adapters.
/// </summary>
public sealed class CausalLMLora
{
    static readonly ConditionalWeakTable<DecoderForCausalLM, CausalLMLora> Instances = new();

    static readonly string[] AttentionProjections = ["q_proj", "k_proj", "v_proj", "o_proj"];
    static readonly string[] MlpProjections = ["gate_proj", "up_proj", "down_proj"];

    CausalLMLora(DecoderForCausalLM model)
    {
        Model = model;
        Stack = new LoraStack(model, FindTargets(model));
    }

    /// <summary>The LoRA manager of <paramref name="model"/> (created on first use).</summary>
    public static CausalLMLora Of(DecoderForCausalLM model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Instances.GetValue(model, m => new CausalLMLora(m));
    }

    public DecoderForCausalLM Model { get; }

    public LoraStack Stack { get; }

    public IReadOnlyList<LoraAdapter> Adapters => Stack.Adapters;

    /// <summary>Every adaptable module path with its group.</summary>
    public IReadOnlyDictionary<string, CausalLMLoraTargets> TargetPaths =>
        Stack.TargetGroups.ToDictionary(kv => kv.Key, kv => (CausalLMLoraTargets)kv.Value, StringComparer.Ordinal);

    public LoraAdapter Adapter(string name) => Stack.Adapter(name);

    public bool HasAdapter(string name) => Stack.HasAdapter(name);

    /// <summary>
    /// Adds a fresh adapter on every projection <paramref name="config"/> targets: A drawn from a generator seeded with
    /// <paramref name="initSeed"/> (layers in path order), B zero. A trainable adapter freezes everything else.
    /// </summary>
    public LoraAdapter AddAdapter(string name, CausalLMLoraConfig config, long initSeed = 0, bool trainable = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return Stack.AddAdapter(name, config.Rank, config.Alpha, config.Dropout, (int)config.Targets, initSeed, trainable);
    }

    /// <summary>Loads a peft adapter folder (or its adapter_model.safetensors) as adapter <paramref name="name"/>; frozen unless <paramref name="trainable"/>.</summary>
    public LoraAdapter LoadAdapter(string path, string name, double scale = 1.0, bool trainable = false)
    {
        var (modules, _) = PeftAdapterFile.Read(path, Stack.TargetPaths);
        try
        {
            return Stack.LoadAdapter(modules, path, name, scale, trainable);
        }
        finally
        {
            Dispose(modules);
        }
    }

    /// <summary>Copies a peft folder's weights into an existing adapter (resuming training): every module must be present, with the same shapes.</summary>
    public void LoadWeightsInto(string name, string path)
    {
        Adapter(name);
        var (modules, _) = PeftAdapterFile.Read(path, Stack.TargetPaths);
        try
        {
            Stack.LoadWeightsInto(name, modules, path);
        }
        finally
        {
            Dispose(modules);
        }
    }

    /// <summary>Writes adapter <paramref name="name"/> as a peft adapter folder.</summary>
    /// <param name="baseModel">Recorded as base_model_name_or_path (a hub id or folder).</param>
    public void SaveAdapter(string name, string folder, string? baseModel = null) => PeftAdapterFile.Save(Adapter(name), folder, baseModel);

    public void Merge(string name) => Stack.Merge(name);

    public void Unmerge(string name) => Stack.Unmerge(name);

    public void RemoveAdapter(string name) => Stack.RemoveAdapter(name);

    /// <summary>The parameters of every trainable adapter, in (adapter, path) order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() => Stack.TrainableParameters();

    public void FreezeAllButTrainable() => Stack.FreezeAllButTrainable();

    static void Dispose(IReadOnlyList<LoraModuleWeights> modules)
    {
        foreach (var m in modules)
        {
            m.A.Dispose();
            m.B.Dispose();
        }
    }

    static IEnumerable<LoraTarget> FindTargets(DecoderForCausalLM model)
    {
        for (var i = 0; i < model.model.layers.Count; i++)
        {
            var layer = model.model.layers[i];
            foreach (var p in AttentionProjections)
            {
                var name = p;
                var attention = layer.self_attn;
                yield return new LoraTarget($"model.layers.{i}.self_attn.{name}", (int)CausalLMLoraTargets.Attention,
                                            () => attention.Projection(name), m => attention.ReplaceProjection(name, m));
            }
            foreach (var p in MlpProjections)
            {
                var name = p;
                var mlp = layer.mlp;
                yield return new LoraTarget($"model.layers.{i}.mlp.{name}", (int)CausalLMLoraTargets.Mlp,
                                            () => mlp.Projection(name), m => mlp.ReplaceProjection(name, m));
            }
        }
    }
}
