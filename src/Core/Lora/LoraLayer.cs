using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Core.Lora;

/// <summary>
/// A linear layer (or 1×1 convolution) with any number of named LoRA adapters, computed as peft's <c>lora.Linear</c>:
/// <code>y = base(x) + Σ_adapters  multiplier · (alpha / r) · B(A(dropout(x)))</code>
/// The adapters' weights are float32 (the master weights when the base runs in half precision): the input is cast to
/// float32 for the adapter path and the sum cast back to the base's dtype, as peft does. An adapter can be disabled
/// (the reference policy), rescaled (stacking LoRAs), or merged into the base weight and unmerged again.
/// </summary>
public sealed class LoraLayer : nn.Module<Tensor, Tensor>
{
    public readonly nn.Module<Tensor, Tensor> base_layer;
    public readonly LoraWeightSet lora_A;
    public readonly LoraWeightSet lora_B;
    readonly List<LoraLayerAdapter> _adapters = [];
    readonly bool _conv;

    /// <param name="baseLayer">The layer to adapt: a <see cref="Linear"/> or a 1×1, stride-1, unpadded <see cref="Conv2d"/>.</param>
    public LoraLayer(nn.Module<Tensor, Tensor> baseLayer) : base(nameof(LoraLayer))
    {
        ArgumentNullException.ThrowIfNull(baseLayer);
        switch (baseLayer)
        {
            case Linear linear:
                InFeatures = linear.in_features;
                OutFeatures = linear.out_features;
                break;
            case Conv2d conv:
                if (conv.kernel_size.Any(k => k != 1) || conv.stride.Any(s => s != 1) || (conv.padding ?? []).Any(p => p != 0) || conv.groups != 1)
                    throw new ArgumentException("LoRA on convolutions supports 1×1, stride-1, unpadded, ungrouped kernels (SD's proj_in/proj_out); " +
                                                $"got kernel [{string.Join(",", conv.kernel_size)}], stride [{string.Join(",", conv.stride)}]", nameof(baseLayer));
                InFeatures = conv.in_channels;
                OutFeatures = conv.out_channels;
                _conv = true;
                break;
            case LoraLayer:
                throw new ArgumentException("the layer already carries LoRA adapters: add the adapter to it instead", nameof(baseLayer));
            default:
                throw new ArgumentException($"LoRA adapts Linear and 1×1 Conv2d layers, not {baseLayer.GetType().Name}", nameof(baseLayer));
        }
        base_layer = baseLayer;
        lora_A = new LoraWeightSet();
        lora_B = new LoraWeightSet();
        RegisterComponents();
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }

    /// <summary>True when the base is a 1×1 convolution: A and B are then [r,in,1,1] and [out,r,1,1], as peft stores them.</summary>
    public bool IsConvolution => _conv;

    /// <summary>The base layer's weight ([out,in] or [out,in,1,1]) in its own dtype.</summary>
    public Parameter BaseWeight => base_layer switch
    {
        Linear linear => linear.weight!,
        Conv2d conv => conv.weight!,
        _ => throw new InvalidOperationException("unreachable: the base layer type is checked in the constructor"),
    };

    public IReadOnlyList<string> AdapterNames => _adapters.Select(a => a.Name).ToArray();

    public bool HasAdapter(string name) => _adapters.Any(a => a.Name == name);

    /// <summary>The adapter's rank, alpha, multiplier and flags in this layer.</summary>
    public LoraLayerAdapter Adapter(string name) =>
        _adapters.FirstOrDefault(a => a.Name == name) ?? throw new KeyNotFoundException($"this layer has no LoRA adapter '{name}'");

    /// <summary>
    /// Adds an adapter: A drawn as peft draws it (kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in)) from
    /// <paramref name="init"/> on the CPU, so the draw does not depend on the device; B zero.
    /// </summary>
    public void AddAdapter(string name, int rank, double alpha, double dropout, Generator? init, bool trainable)
    {
        LoraStack.CheckAdapterName(name);
        if (HasAdapter(name)) throw new ArgumentException($"adapter '{name}' already exists on this layer", nameof(name));
        if (rank < 1) throw new ArgumentOutOfRangeException(nameof(rank), rank, "LoRA rank must be at least 1");
        var device = BaseWeight.device;
        using (no_grad())
        {
            var bound = 1.0 / Math.Sqrt(InFeatures);
            using var scope = NewDisposeScope();
            var a = (rand([rank, InFeatures], dtype: ScalarType.Float32, generator: init) * (2 * bound) - bound).to(device);
            var b = zeros([OutFeatures, rank], dtype: ScalarType.Float32, device: device);
            if (_conv)
            {
                a = a.view(rank, InFeatures, 1, 1);
                b = b.view(OutFeatures, rank, 1, 1);
            }
            lora_A.Add(name, new Parameter(a.contiguous().DetachFromDisposeScope(), trainable));
            lora_B.Add(name, new Parameter(b.contiguous().DetachFromDisposeScope(), trainable));
        }
        _adapters.Add(new LoraLayerAdapter(name, rank, alpha, dropout));
    }

    /// <summary>The adapter's A [r,in] (or [r,in,1,1]) parameter.</summary>
    public Parameter A(string name) => Exists(name) ? lora_A[name] : throw Missing(name);

    /// <summary>The adapter's B [out,r] (or [out,r,1,1]) parameter.</summary>
    public Parameter B(string name) => Exists(name) ? lora_B[name] : throw Missing(name);

    /// <summary>Copies weights into the adapter (any dtype/device; kept float32 on the layer's device).</summary>
    public void SetWeights(string name, Tensor a, Tensor b)
    {
        var (pa, pb) = (A(name), B(name));
        if (!a.shape.SequenceEqual(pa.shape) || !b.shape.SequenceEqual(pb.shape))
            throw new ArgumentException($"LoRA weights for '{name}' have shapes A [{string.Join(",", a.shape)}], B [{string.Join(",", b.shape)}]; " +
                                        $"this layer needs A [{string.Join(",", pa.shape)}], B [{string.Join(",", pb.shape)}]");
        using var noGrad = no_grad();
        pa.copy_(a);
        pb.copy_(b);
    }

    public void RemoveAdapter(string name)
    {
        var adapter = Adapter(name);
        if (adapter.Merged) Unmerge(name);
        lora_A.Remove(name);
        lora_B.Remove(name);
        _adapters.Remove(adapter);
    }

    /// <summary>
    /// ΔW = multiplier · (alpha / r) · B·A in float32 with the base weight's shape. For a 1×1 convolution this is
    /// the same product over the flattened kernels.
    /// </summary>
    public Tensor DeltaWeight(string name)
    {
        var adapter = Adapter(name);
        using var scope = NewDisposeScope();
        var a = A(name).detach();
        var b = B(name).detach();
        var delta = b.flatten(1).matmul(a.flatten(1)) * (adapter.Multiplier * adapter.Scaling);
        return delta.view(BaseWeight.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Adds ΔW into the base weight (in the base dtype) and skips the adapter in forward until unmerged.</summary>
    public void Merge(string name)
    {
        var adapter = Adapter(name);
        if (adapter.Merged) throw new InvalidOperationException($"adapter '{name}' is already merged");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = BaseWeight;
        weight.copy_((weight.to(ScalarType.Float32) + DeltaWeight(name)).to(weight.dtype));
        adapter.Merged = true;
        adapter.MergedMultiplier = adapter.Multiplier;
    }

    /// <summary>Subtracts the ΔW that <see cref="Merge"/> added (exact up to the base dtype's rounding).</summary>
    public void Unmerge(string name)
    {
        var adapter = Adapter(name);
        if (!adapter.Merged) throw new InvalidOperationException($"adapter '{name}' is not merged");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var current = adapter.Multiplier;
        adapter.Multiplier = adapter.MergedMultiplier;
        var delta = DeltaWeight(name);
        adapter.Multiplier = current;
        var weight = BaseWeight;
        weight.copy_((weight.to(ScalarType.Float32) - delta).to(weight.dtype));
        adapter.Merged = false;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var result = base_layer.forward(x);
        Tensor? delta = null;
        Tensor? input = null;
        foreach (var adapter in _adapters)
        {
            if (!adapter.Enabled || adapter.Merged || adapter.Multiplier == 0) continue;
            input ??= x.to(ScalarType.Float32);
            var dropped = training && adapter.Dropout > 0 ? nn.functional.dropout(input, adapter.Dropout, true) : input;
            var a = lora_A[adapter.Name];
            var b = lora_B[adapter.Name];
            var low = _conv ? nn.functional.conv2d(dropped, a) : nn.functional.linear(dropped, a);
            var up = _conv ? nn.functional.conv2d(low, b) : nn.functional.linear(low, b);
            var scaled = up * (adapter.Multiplier * adapter.Scaling);
            delta = delta is null ? scaled : delta + scaled;
        }
        if (delta is null) return result.MoveToOuterDisposeScope();
        return (result + delta).to(result.dtype).MoveToOuterDisposeScope();
    }

    bool Exists(string name) => lora_A.Contains(name);

    static KeyNotFoundException Missing(string name) => new($"this layer has no LoRA adapter '{name}'");
}
