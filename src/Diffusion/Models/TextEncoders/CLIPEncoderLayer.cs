using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>transformers' <c>CLIPEncoderLayer</c>: pre-LayerNorm causal self-attention and MLP, each with a residual.</summary>
public sealed class CLIPEncoderLayer : nn.Module<Tensor, Tensor>
{
    public readonly CLIPAttention self_attn;
    public readonly LayerNorm layer_norm1;
    public readonly CLIPMLP mlp;
    public readonly LayerNorm layer_norm2;

    public CLIPEncoderLayer(CLIPTextConfig config, Device? device, ScalarType? dtype) : base(nameof(CLIPEncoderLayer))
    {
        self_attn = new CLIPAttention(config, device, dtype);
        layer_norm1 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        mlp = new CLIPMLP(config, device, dtype);
        layer_norm2 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = self_attn.forward(layer_norm1.forward(x)) + x;
        x = mlp.forward(layer_norm2.forward(x)) + x;
        return x.MoveToOuterDisposeScope();
    }
}
