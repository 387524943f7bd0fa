using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>transformers' <c>CLIPTextTransformer</c>: embeddings, encoder layers, <c>final_layer_norm</c>.</summary>
public sealed class CLIPTextTransformer : nn.Module
{
    public readonly CLIPTextEmbeddings embeddings;
    public readonly CLIPEncoder encoder;
    public readonly LayerNorm final_layer_norm;

    public CLIPTextTransformer(CLIPTextConfig config, Device? device, ScalarType? dtype) : base(nameof(CLIPTextTransformer))
    {
        embeddings = new CLIPTextEmbeddings(config, device, dtype);
        encoder = new CLIPEncoder(config, device, dtype);
        final_layer_norm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }
}
