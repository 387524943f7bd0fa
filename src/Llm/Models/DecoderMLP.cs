using Probe.Core.Torch;
using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>transformers' <c>Qwen2MLP</c> / <c>LlamaMLP</c>: <c>down_proj(silu(gate_proj(x)) * up_proj(x))</c>.</summary>
public sealed class DecoderMLP : nn.Module<Tensor, Tensor>
{
    // Named Linear modules, not readonly, so a LoRA stack can replace them in place (as UNetLora does).
    public nn.Module<Tensor, Tensor> gate_proj;
    public nn.Module<Tensor, Tensor> up_proj;
    public nn.Module<Tensor, Tensor> down_proj;

    public DecoderMLP(CausalLMConfig config, Device? device, ScalarType? dtype) : base(nameof(DecoderMLP))
    {
        gate_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        up_proj = nn.Linear(config.HiddenSize, config.IntermediateSize, config.MlpBias, device, dtype);
        down_proj = nn.Linear(config.IntermediateSize, config.HiddenSize, config.MlpBias, device, dtype);
        RegisterComponents();
    }

    /// <summary>The projection named <paramref name="name"/> (gate_proj, up_proj, down_proj).</summary>
    public nn.Module<Tensor, Tensor> Projection(string name) => name switch
    {
        "gate_proj" => gate_proj,
        "up_proj" => up_proj,
        "down_proj" => down_proj,
        _ => throw new ArgumentException($"no projection '{name}' in an MLP (gate_proj, up_proj, down_proj)", nameof(name)),
    };

    /// <summary>Replaces a projection (a LoRA wrapper) in its field and in the module registry, so parameters() sees it.</summary>
    public void ReplaceProjection(string name, nn.Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        switch (name)
        {
            case "gate_proj": gate_proj = module; break;
            case "up_proj": up_proj = module; break;
            case "down_proj": down_proj = module; break;
            default: throw new ArgumentException($"no projection '{name}' in an MLP (gate_proj, up_proj, down_proj)", nameof(name));
        }
        ModuleRegistration.Replace(this, name, module);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x);
        return down_proj.forward(h).MoveToOuterDisposeScope();
    }
}
