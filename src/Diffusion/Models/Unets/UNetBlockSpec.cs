using Probe.Diffusion.Models.Layers;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>
/// What diffusers' <c>get_down_block</c> / <c>get_up_block</c> pass to one block: channels, layer counts and the
/// attention settings for that level of the UNet. Builds the block's resnets and transformers.
/// </summary>
public sealed record UNetBlockSpec
{
    public required long InChannels { get; init; }
    public required long OutChannels { get; init; }
    public required long TembChannels { get; init; }
    public required int Layers { get; init; }
    public required bool AddSampler { get; init; }
    public int TransformerLayers { get; init; } = 1;
    public int Heads { get; init; } = 1;
    public long CrossAttentionDim { get; init; }
    public int Groups { get; init; } = 32;
    public double Eps { get; init; } = 1e-5;
    public double OutputScaleFactor { get; init; } = 1.0;
    public int DownsamplePadding { get; init; } = 1;
    public bool UseLinearProjection { get; init; }
    public bool UpcastAttention { get; init; }
    public bool OnlyCrossAttention { get; init; }
    public Device? Device { get; init; }
    public ScalarType? DType { get; init; }

    public ResnetBlock2D Resnet(long inChannels, long outChannels) =>
        new(inChannels, outChannels, TembChannels, Groups, Eps, OutputScaleFactor, Device, DType);

    public Transformer2DModel Transformer(long channels) =>
        new(Heads, channels / Heads, channels, TransformerLayers, CrossAttentionDim, Groups, UseLinearProjection,
            UpcastAttention, OnlyCrossAttention, Device, DType);

    /// <summary>
    /// Decoder resnets: resnet j takes the previous output (j = 0) or this block's output, concatenated with a skip
    /// whose width is this block's input width for the last resnet and its output width otherwise.
    /// </summary>
    public ResnetBlock2D[] UpResnets(long prevOutputChannels) => Enumerable.Range(0, Layers).Select(j =>
    {
        var skip = j == Layers - 1 ? InChannels : OutChannels;
        var input = j == 0 ? prevOutputChannels : OutChannels;
        return Resnet(input + skip, OutChannels);
    }).ToArray();
}
