using static TorchSharp.torch;

namespace Probe.Diffusion.Pipelines;

/// <summary>How to load a pipeline: precision, device, weight variant, scheduler, clip skip.</summary>
public sealed record PipelineOptions
{
    /// <summary>Compute dtype of the text encoder and UNet (and the VAE unless it must be upcast).</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    public Device? Device { get; init; }

    /// <summary>Weight file variant, e.g. "fp16" for <c>*.fp16.safetensors</c>; falls back to the plain files.</summary>
    public string? Variant { get; init; }

    /// <summary>ddim, euler or dpmpp2m, built from the pipeline's scheduler config; null = the config's own class.</summary>
    public string? Scheduler { get; init; }

    /// <summary>Use the output of the layer this many before the last (diffusers' clip_skip); 0 = last layer.</summary>
    public int ClipSkip { get; init; }

    /// <summary>Name recorded in image metadata (hub id or folder); default: the folder name.</summary>
    public string? ModelId { get; init; }
}
