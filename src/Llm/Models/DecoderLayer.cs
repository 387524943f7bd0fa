using static TorchSharp.torch;

namespace Probe.Llm.Models;

/// <summary>transformers' <c>Qwen2DecoderLayer</c> / <c>LlamaDecoderLayer</c>: pre-norm attention and MLP, each with a residual.</summary>
public sealed class DecoderLayer : nn.Module
{
    public readonly DecoderAttention self_attn;
    public readonly DecoderMLP mlp;
    public readonly RMSNorm input_layernorm;
    public readonly RMSNorm post_attention_layernorm;

    public DecoderLayer(CausalLMConfig config, int layerIndex, Device? device, ScalarType? dtype) : base(nameof(DecoderLayer))
    {
        self_attn = new DecoderAttention(config, layerIndex, device, dtype);
        mlp = new DecoderMLP(config, device, dtype);
        input_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        post_attention_layernorm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor mask, DynamicCache? cache)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.Forward(input_layernorm.forward(x), cos, sin, mask, cache);
        var output = h + mlp.forward(post_attention_layernorm.forward(h));
        return output.MoveToOuterDisposeScope();
    }
}
