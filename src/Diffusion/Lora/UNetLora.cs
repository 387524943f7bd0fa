using System.Runtime.CompilerServices;
using Probe.Core.Lora;
using Probe.Diffusion.Models.Layers;
using Probe.Diffusion.Models.Unets;
using TorchSharp.Modules;

namespace Probe.Diffusion.Lora;

/// <summary>
/// The LoRA adapters of one UNet, stacked: a frozen safety LoRA applied to the base to build the model under attack,
/// plus the trainable attack adapter on top, each with its own scale. Layers are wrapped in <see cref="LoraLayer"/>
/// in place (in the parent's field, so checkpoint-style paths stay valid) the first time an adapter needs them.
/// One instance per UNet (<see cref="Of"/>), so every caller sees the same adapters.
/// </summary>
public sealed class UNetLora
{
    static readonly ConditionalWeakTable<UNet2DConditionModel, UNetLora> Instances = new();

    UNetLora(UNet2DConditionModel unet)
    {
        Unet = unet;
        Stack = new LoraStack(unet, FindTargets(unet));
    }

    /// <summary>The LoRA manager of <paramref name="unet"/> (created on first use).</summary>
    public static UNetLora Of(UNet2DConditionModel unet)
    {
        ArgumentNullException.ThrowIfNull(unet);
        return Instances.GetValue(unet, u => new UNetLora(u));
    }

    public UNet2DConditionModel Unet { get; }

    /// <summary>The model-agnostic adapter stack over the UNet's attention, feed-forward and projection layers.</summary>
    public LoraStack Stack { get; }

    public IReadOnlyList<LoraAdapter> Adapters => Stack.Adapters;

    /// <summary>Every module path LoRA can adapt in this UNet, with its group.</summary>
    public IReadOnlyDictionary<string, LoraTargets> TargetPaths =>
        Stack.TargetGroups.ToDictionary(kv => kv.Key, kv => (LoraTargets)kv.Value, StringComparer.Ordinal);

    public LoraAdapter Adapter(string name) => Stack.Adapter(name);

    public bool HasAdapter(string name) => Stack.HasAdapter(name);

    /// <summary>
    /// Adds a fresh adapter on every layer <paramref name="config"/> targets: A drawn from a generator seeded with
    /// <paramref name="initSeed"/> (layers in path order), B zero. A trainable adapter freezes everything else in the UNet.
    /// </summary>
    public LoraAdapter AddAdapter(string name, LoraConfig config, long initSeed = 0, bool trainable = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return Stack.AddAdapter(name, config.Rank, config.Alpha, config.Dropout, (int)config.Targets, initSeed, trainable);
    }

    /// <summary>
    /// Loads a LoRA file (any <see cref="LoraLayout"/>) as adapter <paramref name="name"/> with multiplier
    /// <paramref name="scale"/>. Loaded adapters are frozen unless <paramref name="trainable"/>.
    /// </summary>
    public LoraAdapter LoadAdapter(string path, string name, double scale = 1.0, bool trainable = false, bool ignoreTextEncoder = false)
    {
        using var weights = LoraFile.Read(path, Stack.TargetPaths, ignoreTextEncoder);
        return LoadAdapter(weights, name, scale, trainable);
    }

    public LoraAdapter LoadAdapter(LoraStateDict weights, string name, double scale = 1.0, bool trainable = false)
    {
        ArgumentNullException.ThrowIfNull(weights);
        return Stack.LoadAdapter(weights.Modules, weights.Source, name, scale, trainable);
    }

    /// <summary>Copies weights into an existing adapter (resuming training): every module must be present, with the same shapes.</summary>
    public void LoadWeightsInto(string name, string path)
    {
        Adapter(name);
        using var weights = LoraFile.Read(path, Stack.TargetPaths);
        Stack.LoadWeightsInto(name, weights.Modules, weights.Source);
    }

    /// <summary>Adds the adapter's update into the base weights (faster inference); forward then skips it until <see cref="Unmerge"/>.</summary>
    public void Merge(string name) => Stack.Merge(name);

    public void Unmerge(string name) => Stack.Unmerge(name);

    /// <summary>Removes an adapter (unmerging it first); the layers stay wrapped.</summary>
    public void RemoveAdapter(string name) => Stack.RemoveAdapter(name);

    /// <summary>The parameters of every trainable adapter, in (adapter, path) order: what an optimiser should see.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() => Stack.TrainableParameters();

    /// <summary>requires_grad = false on every UNet parameter except those of trainable adapters.</summary>
    public void FreezeAllButTrainable() => Stack.FreezeAllButTrainable();

    /// <summary>Every adaptable layer, by walking the UNet's attention, feed-forward and transformer modules.</summary>
    static IEnumerable<LoraTarget> FindTargets(UNet2DConditionModel unet)
    {
        foreach (var (path, module) in unet.named_modules())
        {
            switch (module)
            {
                case Attention attention:
                    foreach (var projection in new[] { "to_q", "to_k", "to_v", "to_out.0" })
                    {
                        var p = projection;
                        yield return new LoraTarget($"{path}.{p}", (int)LoraTargets.Attention, () => attention.Projection(p), m => attention.ReplaceProjection(p, m));
                    }
                    break;
                case FeedForward ff:
                    yield return new LoraTarget($"{path}.net.0.proj", (int)LoraTargets.FeedForward, () => ff.Geglu.proj, m => ff.Geglu.ReplaceProjection(m));
                    yield return new LoraTarget($"{path}.net.2", (int)LoraTargets.FeedForward, () => ff.Output, m => ff.Output = m);
                    break;
                case Transformer2DModel transformer:
                    yield return new LoraTarget($"{path}.proj_in", (int)LoraTargets.Projections, () => transformer.proj_in, m => transformer.ReplaceProjection("proj_in", m));
                    yield return new LoraTarget($"{path}.proj_out", (int)LoraTargets.Projections, () => transformer.proj_out, m => transformer.ReplaceProjection("proj_out", m));
                    break;
            }
        }
    }
}
