using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Core.Lora;

/// <summary>
/// The A (or B) matrices of one layer, one parameter per adapter name, registered so that the UNet's parameters(),
/// to(device) and state_dict() see them (<c>…to_q.lora_A.&lt;adapter&gt;</c>). Adapters come and go at run time, which
/// TorchSharp's field-based registration does not cover, hence this small container.
/// </summary>
public sealed class LoraWeightSet : nn.Module
{
    public LoraWeightSet() : base(nameof(LoraWeightSet))
    {
    }

    public Parameter this[string adapter] => (Parameter)_internal_params[adapter];

    public bool Contains(string adapter) => _internal_params.ContainsKey(adapter);

    public void Add(string adapter, Parameter weight) => register_parameter(adapter, weight);

    public void Remove(string adapter)
    {
        if (_internal_params.TryGetValue(adapter, out var weight))
        {
            _internal_params.Remove(adapter);
            weight.Dispose();
        }
    }
}
