using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.TextEncoders;

/// <summary>transformers' <c>CLIPEncoder</c>: the stack of <c>layers</c>.</summary>
public sealed class CLIPEncoder : nn.Module
{
    public readonly ModuleList<CLIPEncoderLayer> layers;

    public CLIPEncoder(CLIPTextConfig config, Device? device, ScalarType? dtype) : base(nameof(CLIPEncoder))
    {
        layers = nn.ModuleList(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new CLIPEncoderLayer(config, device, dtype)).ToArray());
        RegisterComponents();
    }
}
