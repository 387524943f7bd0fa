using TorchSharp.Modules;

namespace Probe.Core.Lora;

/// <summary>
/// One named adapter across the UNet's layers: whether it trains, its weight in the sum (<see cref="Scale"/>), whether
/// it is enabled or merged, and its parameters by the names diffusers saves them under (without the "unet." prefix).
/// </summary>
public sealed class LoraAdapter
{
    readonly IReadOnlyList<(string Path, LoraLayer Layer)> _layers;

    internal LoraAdapter(string name, bool trainable, double dropout, IReadOnlyList<(string Path, LoraLayer Layer)> layers, string? source)
    {
        Name = name;
        Trainable = trainable;
        Dropout = dropout;
        _layers = layers;
        Source = source;
    }

    public string Name { get; }
    public bool Trainable { get; }
    public double Dropout { get; }

    /// <summary>The file the adapter was loaded from; null for an adapter created here.</summary>
    public string? Source { get; }

    public IReadOnlyList<string> ModulePaths => _layers.Select(l => l.Path).ToArray();

    /// <summary>The adapted layers by module path.</summary>
    public IReadOnlyList<(string Path, LoraLayer Layer)> Layers => _layers;

    /// <summary>The multiplier on this adapter's update (diffusers' adapter weight); changing it rescales every layer.</summary>
    public double Scale
    {
        get => _layers.Count == 0 ? 1.0 : _layers[0].Layer.Adapter(Name).Multiplier;
        set
        {
            if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "adapter scale must be finite");
            if (Merged) throw new InvalidOperationException($"adapter '{Name}' is merged: unmerge it before changing its scale");
            foreach (var (_, layer) in _layers) layer.Adapter(Name).Multiplier = value;
        }
    }

    public bool Enabled
    {
        get => _layers.Count == 0 || _layers[0].Layer.Adapter(Name).Enabled;
        set
        {
            foreach (var (_, layer) in _layers) layer.Adapter(Name).Enabled = value;
        }
    }

    public bool Merged => _layers.Count > 0 && _layers[0].Layer.Adapter(Name).Merged;

    /// <summary>(name, parameter) pairs in path order: <c>&lt;path&gt;.lora_A.weight</c>, <c>&lt;path&gt;.lora_B.weight</c>.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> NamedParameters() =>
        _layers.SelectMany(l => new[] { ($"{l.Path}.lora_A.weight", l.Layer.A(Name)), ($"{l.Path}.lora_B.weight", l.Layer.B(Name)) }).ToArray();

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>The adapter as <see cref="LoraModuleWeights"/> (CPU float32 copies; the caller disposes them).</summary>
    public IReadOnlyList<LoraModuleWeights> Export()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        return _layers.Select(l => new LoraModuleWeights(l.Path,
            l.Layer.A(Name).detach().cpu().clone().MoveToOuterDisposeScope(),
            l.Layer.B(Name).detach().cpu().clone().MoveToOuterDisposeScope(),
            l.Layer.Adapter(Name).Alpha)).ToArray();
    }

    /// <summary>A scope with the adapter disabled (e.g. the reference policy for a KL penalty); restores the previous state.</summary>
    public IDisposable Disabled() => new Suspension(this);

    sealed class Suspension : IDisposable
    {
        readonly LoraAdapter _adapter;
        readonly bool _was;
        bool _done;

        public Suspension(LoraAdapter adapter)
        {
            _adapter = adapter;
            _was = adapter.Enabled;
            adapter.Enabled = false;
        }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _adapter.Enabled = _was;
        }
    }
}
