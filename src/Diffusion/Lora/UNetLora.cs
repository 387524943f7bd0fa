using System.Runtime.CompilerServices;
using Probe.Diffusion.Models.Layers;
using Probe.Diffusion.Models.Unets;
using TorchSharp.Modules;
using static TorchSharp.torch;

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

    readonly Dictionary<string, LoraTarget> _targets;
    readonly List<LoraAdapter> _adapters = [];

    UNetLora(UNet2DConditionModel unet)
    {
        Unet = unet;
        _targets = FindTargets(unet).ToDictionary(t => t.Path, StringComparer.Ordinal);
    }

    /// <summary>The LoRA manager of <paramref name="unet"/> (created on first use).</summary>
    public static UNetLora Of(UNet2DConditionModel unet)
    {
        ArgumentNullException.ThrowIfNull(unet);
        return Instances.GetValue(unet, u => new UNetLora(u));
    }

    public UNet2DConditionModel Unet { get; }

    public IReadOnlyList<LoraAdapter> Adapters => _adapters;

    /// <summary>Every module path LoRA can adapt in this UNet, with its group.</summary>
    public IReadOnlyDictionary<string, LoraTargets> TargetPaths => _targets.ToDictionary(kv => kv.Key, kv => kv.Value.Group, StringComparer.Ordinal);

    public LoraAdapter Adapter(string name) =>
        _adapters.FirstOrDefault(a => a.Name == name) ?? throw new KeyNotFoundException($"no LoRA adapter named '{name}' (have: {string.Join(", ", _adapters.Select(a => a.Name))})");

    public bool HasAdapter(string name) => _adapters.Any(a => a.Name == name);

    /// <summary>
    /// Adds a fresh adapter on every layer <paramref name="config"/> targets: A drawn from a generator seeded with
    /// <paramref name="initSeed"/> (layers in path order), B zero. A trainable adapter freezes everything else in the UNet.
    /// </summary>
    public LoraAdapter AddAdapter(string name, LoraConfig config, long initSeed = 0, bool trainable = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        CheckNewName(name);
        var paths = _targets.Values.Where(t => (t.Group & config.Targets) != 0).Select(t => t.Path).Order(StringComparer.Ordinal).ToList();
        using var generator = new Generator((ulong)initSeed);
        var layers = new List<(string, LoraLayer)>();
        foreach (var path in paths)
        {
            var layer = Wrap(path);
            layer.AddAdapter(name, config.Rank, config.Alpha, config.Dropout, generator, trainable);
            layers.Add((path, layer));
        }
        return Register(new LoraAdapter(name, trainable, config.Dropout, layers, null));
    }

    /// <summary>
    /// Loads a LoRA file (any <see cref="LoraLayout"/>) as adapter <paramref name="name"/> with multiplier
    /// <paramref name="scale"/>. Loaded adapters are frozen unless <paramref name="trainable"/>.
    /// </summary>
    public LoraAdapter LoadAdapter(string path, string name, double scale = 1.0, bool trainable = false, bool ignoreTextEncoder = false)
    {
        using var weights = LoraFile.Read(path, _targets.Keys, ignoreTextEncoder);
        return LoadAdapter(weights, name, scale, trainable);
    }

    public LoraAdapter LoadAdapter(LoraStateDict weights, string name, double scale = 1.0, bool trainable = false)
    {
        ArgumentNullException.ThrowIfNull(weights);
        CheckNewName(name);
        var layers = new List<(string, LoraLayer)>();
        try
        {
            foreach (var module in weights.Modules)
            {
                if (!_targets.ContainsKey(module.ModulePath))
                    throw new LoraFormatException(weights.Source, $"module '{module.ModulePath}' is not a LoRA-capable layer of this UNet");
                var layer = Wrap(module.ModulePath);
                var expectA = layer.IsConvolution ? new[] { (long)module.Rank, layer.InFeatures, 1, 1 } : [module.Rank, layer.InFeatures];
                var expectB = layer.IsConvolution ? new[] { layer.OutFeatures, module.Rank, 1, 1 } : [layer.OutFeatures, module.Rank];
                // Files store 1×1-conv LoRAs as [r,in,1,1]; a linear layer's LoRA saved from a conv model (or the reverse) reshapes losslessly.
                if (module.A.numel() != expectA.Aggregate(1L, (x, y) => x * y) || module.B.numel() != expectB.Aggregate(1L, (x, y) => x * y) ||
                    module.A.shape[0] != module.Rank || module.B.shape[0] != layer.OutFeatures)
                    throw new LoraFormatException(weights.Source,
                        $"module '{module.ModulePath}': down [{string.Join(",", module.A.shape)}] / up [{string.Join(",", module.B.shape)}] " +
                        $"do not fit the layer ({layer.InFeatures} in, {layer.OutFeatures} out)");
                layer.AddAdapter(name, module.Rank, module.Alpha, 0, null, trainable);
                layer.SetWeights(name, module.A.reshape(expectA), module.B.reshape(expectB));
                layers.Add((module.ModulePath, layer));
            }
        }
        catch
        {
            foreach (var (_, layer) in layers) layer.RemoveAdapter(name);
            throw;
        }
        var adapter = Register(new LoraAdapter(name, trainable, 0, layers, weights.Source));
        adapter.Scale = scale;
        return adapter;
    }

    /// <summary>Copies weights into an existing adapter (resuming training): every module must be present, with the same shapes.</summary>
    public void LoadWeightsInto(string name, string path)
    {
        var adapter = Adapter(name);
        using var weights = LoraFile.Read(path, _targets.Keys);
        var byPath = weights.Modules.ToDictionary(m => m.ModulePath, StringComparer.Ordinal);
        var missing = adapter.ModulePaths.Where(p => !byPath.ContainsKey(p)).ToList();
        var extra = byPath.Keys.Where(p => !adapter.ModulePaths.Contains(p)).ToList();
        if (missing.Count + extra.Count > 0)
            throw new LoraFormatException(weights.Source, $"does not match adapter '{name}': missing {string.Join(", ", missing.Take(10))}; extra {string.Join(", ", extra.Take(10))}");
        foreach (var (p, layer) in adapter.Layers)
        {
            var m = byPath[p];
            layer.SetWeights(name, m.A.reshape(layer.A(name).shape), m.B.reshape(layer.B(name).shape));
        }
    }

    /// <summary>Adds the adapter's update into the base weights (faster inference); forward then skips it until <see cref="Unmerge"/>.</summary>
    public void Merge(string name)
    {
        var adapter = Adapter(name);
        foreach (var (_, layer) in adapter.Layers) layer.Merge(name);
    }

    public void Unmerge(string name)
    {
        var adapter = Adapter(name);
        foreach (var (_, layer) in adapter.Layers) layer.Unmerge(name);
    }

    /// <summary>Removes an adapter (unmerging it first); the layers stay wrapped.</summary>
    public void RemoveAdapter(string name)
    {
        var adapter = Adapter(name);
        foreach (var (_, layer) in adapter.Layers) layer.RemoveAdapter(name);
        _adapters.Remove(adapter);
        FreezeAllButTrainable();
    }

    /// <summary>The parameters of every trainable adapter, in (adapter, path) order: what an optimiser should see.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        _adapters.Where(a => a.Trainable).SelectMany(a => a.NamedParameters().Select(p => ($"{a.Name}:{p.Name}", p.Parameter))).ToArray();

    /// <summary>requires_grad = false on every UNet parameter except those of trainable adapters.</summary>
    public void FreezeAllButTrainable()
    {
        var trainable = new HashSet<IntPtr>(TrainableParameters().Select(p => p.Parameter.Handle));
        foreach (var p in Unet.parameters())
            p.requires_grad = trainable.Contains(p.Handle);
    }

    LoraAdapter Register(LoraAdapter adapter)
    {
        _adapters.Add(adapter);
        FreezeAllButTrainable();
        return adapter;
    }

    LoraLayer Wrap(string path)
    {
        var target = _targets[path];
        var current = target.Get();
        if (current is LoraLayer wrapped) return wrapped;
        var layer = new LoraLayer(current);
        layer.train(Unet.training);
        target.Set(layer);
        return layer;
    }

    void CheckNewName(string name)
    {
        CheckAdapterName(name);
        if (HasAdapter(name)) throw new ArgumentException($"a LoRA adapter named '{name}' is already loaded", nameof(name));
    }

    internal static void CheckAdapterName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.') || name.Contains(':'))
            throw new ArgumentException($"adapter name '{name}' must be non-empty and contain no '.' or ':' (it becomes part of parameter names)", nameof(name));
    }

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
                        yield return new LoraTarget($"{path}.{p}", LoraTargets.Attention, () => attention.Projection(p), m => attention.ReplaceProjection(p, m));
                    }
                    break;
                case FeedForward ff:
                    yield return new LoraTarget($"{path}.net.0.proj", LoraTargets.FeedForward, () => ff.Geglu.proj, m => ff.Geglu.ReplaceProjection(m));
                    yield return new LoraTarget($"{path}.net.2", LoraTargets.FeedForward, () => ff.Output, m => ff.Output = m);
                    break;
                case Transformer2DModel transformer:
                    yield return new LoraTarget($"{path}.proj_in", LoraTargets.Projections, () => transformer.proj_in, m => transformer.ReplaceProjection("proj_in", m));
                    yield return new LoraTarget($"{path}.proj_out", LoraTargets.Projections, () => transformer.proj_out, m => transformer.ReplaceProjection("proj_out", m));
                    break;
            }
        }
    }
}
