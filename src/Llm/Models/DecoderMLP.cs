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

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x);
        return down_proj.forward(h).MoveToOuterDisposeScope();
    }
}
