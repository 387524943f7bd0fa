using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>
/// transformers' <c>DynamicCache</c>: per layer, the keys and values [B, kv_heads, S, head_dim] of every position seen
/// so far (after RoPE), grown by concatenation. The cache owns its tensors (they live outside every dispose scope)
/// and frees them on <see cref="Dispose"/>.
/// </summary>
public sealed class DynamicCache : IDisposable
{
    readonly Tensor?[] _keys;
    readonly Tensor?[] _values;

    public DynamicCache(int numLayers)
    {
        _keys = new Tensor?[numLayers];
        _values = new Tensor?[numLayers];
    }

    /// <summary>Positions held (transformers' <c>get_seq_length</c>).</summary>
    public long SeqLength => _keys[0]?.shape[2] ?? 0;

    /// <summary>Appends this step's keys and values for <paramref name="layer"/> and returns all of them.</summary>
    public (Tensor Keys, Tensor Values) Update(int layer, Tensor keys, Tensor values)
    {
        _keys[layer] = Append(_keys[layer], keys);
        _values[layer] = Append(_values[layer], values);
        return (_keys[layer]!, _values[layer]!);
    }

    static Tensor Append(Tensor? held, Tensor step)
    {
        if (held is null) return step.alias().DetachFromDisposeScope();
        var grown = cat([held, step], 2).DetachFromDisposeScope();
        held.Dispose();
        return grown;
    }

    public void Dispose()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = _values[i] = null;
        }
    }
}
