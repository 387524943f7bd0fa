using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Core.Lora;

/// <summary>
/// The LoRA adapters of one model, stacked in the order they were added (a frozen safety LoRA under a trainable
/// attack adapter, say), each with its own scale, as peft's multi-adapter <c>LoraModel</c> keeps them. The model
/// family supplies its adaptable layers as <see cref="LoraTarget"/>s; a layer is wrapped in a <see cref="LoraLayer"/>
/// in place (in its parent's field, so checkpoint paths stay valid) the first time an adapter needs it. Knows no
/// model family and no file format: those live with the family (e.g. the UNet's diffusers/kohya files).
/// </summary>
public sealed class LoraStack
{
    readonly nn.Module _model;
    readonly Dictionary<string, LoraTarget> _targets;
    readonly List<LoraAdapter> _adapters = [];

    /// <param name="model">The module whose parameters are frozen around trainable adapters.</param>
    /// <param name="targets">Every layer that may be adapted; paths must be unique.</param>
    public LoraStack(nn.Module model, IEnumerable<LoraTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targets);
        _model = model;
        _targets = new Dictionary<string, LoraTarget>(StringComparer.Ordinal);
        foreach (var t in targets)
            if (!_targets.TryAdd(t.Path, t)) throw new ArgumentException($"LoRA target '{t.Path}' is listed twice", nameof(targets));
    }

    public IReadOnlyList<LoraAdapter> Adapters => _adapters;

    /// <summary>Every adaptable module path with its group flags.</summary>
    public IReadOnlyDictionary<string, int> TargetGroups => _targets.ToDictionary(kv => kv.Key, kv => kv.Value.Group, StringComparer.Ordinal);

    public IReadOnlyCollection<string> TargetPaths => _targets.Keys;

    public LoraAdapter Adapter(string name) =>
        _adapters.FirstOrDefault(a => a.Name == name) ?? throw new KeyNotFoundException($"no LoRA adapter named '{name}' (have: {string.Join(", ", _adapters.Select(a => a.Name))})");

    public bool HasAdapter(string name) => _adapters.Any(a => a.Name == name);

    /// <summary>
    /// Adds a fresh adapter on every target whose group intersects <paramref name="groups"/>: A drawn from a generator
    /// seeded with <paramref name="initSeed"/> (layers in path order), B zero. A trainable adapter freezes everything else.
    /// </summary>
    public LoraAdapter AddAdapter(string name, int rank, double alpha, double dropout, int groups, long initSeed = 0, bool trainable = true)
    {
        CheckNewName(name);
        var paths = _targets.Values.Where(t => (t.Group & groups) != 0).Select(t => t.Path).Order(StringComparer.Ordinal).ToList();
        using var generator = new Generator((ulong)initSeed);
        var layers = new List<(string, LoraLayer)>();
        foreach (var path in paths)
        {
            var layer = Wrap(path);
            layer.AddAdapter(name, rank, alpha, dropout, generator, trainable);
            layers.Add((path, layer));
        }
        return Register(new LoraAdapter(name, trainable, dropout, layers, null));
    }

    /// <summary>
    /// Adds an adapter with given weights (a file's modules, already mapped to target paths) and multiplier
    /// <paramref name="scale"/>; frozen unless <paramref name="trainable"/>. Throws <see cref="LoraFormatException"/>
    /// naming <paramref name="source"/> for a module that is no target or whose shapes do not fit its layer.
    /// </summary>
    public LoraAdapter LoadAdapter(IReadOnlyList<LoraModuleWeights> modules, string source, string name, double scale = 1.0, bool trainable = false)
    {
        ArgumentNullException.ThrowIfNull(modules);
        CheckNewName(name);
        var layers = new List<(string, LoraLayer)>();
        try
        {
            foreach (var module in modules)
            {
                if (!_targets.ContainsKey(module.ModulePath))
                    throw new LoraFormatException(source, $"module '{module.ModulePath}' is not a LoRA-capable layer of this model");
                var layer = Wrap(module.ModulePath);
                var (expectA, expectB) = ExpectedShapes(layer, module.Rank);
                // Files store 1×1-conv LoRAs as [r,in,1,1]; a linear layer's LoRA saved from a conv model (or the reverse) reshapes losslessly.
                if (module.A.numel() != expectA.Aggregate(1L, (x, y) => x * y) || module.B.numel() != expectB.Aggregate(1L, (x, y) => x * y) ||
                    module.A.shape[0] != module.Rank || module.B.shape[0] != layer.OutFeatures)
                    throw new LoraFormatException(source,
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
        var adapter = Register(new LoraAdapter(name, trainable, 0, layers, source));
        adapter.Scale = scale;
        return adapter;
    }

    /// <summary>Copies weights into an existing adapter (resuming training): every module must be present, with the same shapes.</summary>
    public void LoadWeightsInto(string name, IReadOnlyList<LoraModuleWeights> modules, string source)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var adapter = Adapter(name);
        var byPath = modules.ToDictionary(m => m.ModulePath, StringComparer.Ordinal);
        var paths = adapter.ModulePaths;
        var known = paths.ToHashSet(StringComparer.Ordinal);
        var missing = paths.Where(p => !byPath.ContainsKey(p)).ToList();
        var extra = byPath.Keys.Where(p => !known.Contains(p)).ToList();
        if (missing.Count + extra.Count > 0)
            throw new LoraFormatException(source, $"does not match adapter '{name}': missing {string.Join(", ", missing.Take(10))}; extra {string.Join(", ", extra.Take(10))}");
        foreach (var (p, layer) in adapter.Layers)
        {
            var m = byPath[p];
            layer.SetWeights(name, m.A.reshape(layer.A(name).shape), m.B.reshape(layer.B(name).shape));
        }
    }

    /// <summary>Adds the adapter's update into the base weights (faster inference); forward then skips it until <see cref="Unmerge"/>.</summary>
    public void Merge(string name)
    {
        foreach (var (_, layer) in Adapter(name).Layers) layer.Merge(name);
    }

    public void Unmerge(string name)
    {
        foreach (var (_, layer) in Adapter(name).Layers) layer.Unmerge(name);
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

    /// <summary>requires_grad = false on every model parameter except those of trainable adapters.</summary>
    public void FreezeAllButTrainable()
    {
        var trainable = new HashSet<IntPtr>(TrainableParameters().Select(p => p.Parameter.Handle));
        foreach (var p in _model.parameters())
            p.requires_grad = trainable.Contains(p.Handle);
    }

    /// <summary>Adapter names become parts of parameter names, so they may not contain '.' or ':'.</summary>
    public static void CheckAdapterName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.') || name.Contains(':'))
            throw new ArgumentException($"adapter name '{name}' must be non-empty and contain no '.' or ':' (it becomes part of parameter names)", nameof(name));
    }

    static (long[] A, long[] B) ExpectedShapes(LoraLayer layer, int rank) => layer.IsConvolution
        ? ([rank, layer.InFeatures, 1, 1], [layer.OutFeatures, rank, 1, 1])
        : ([rank, layer.InFeatures], [layer.OutFeatures, rank]);

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
        layer.train(_model.training);
        target.Set(layer);
        return layer;
    }

    void CheckNewName(string name)
    {
        CheckAdapterName(name);
        if (HasAdapter(name)) throw new ArgumentException($"a LoRA adapter named '{name}' is already loaded", nameof(name));
    }
}
