using Probe.Core.Images;
using Probe.Diffusion.Images;
using static TorchSharp.torch;

namespace Probe.Diffusion.Pipelines;

/// <summary>Generated images (float32 [N,3,H,W] in [0,1] on the CPU, prompt-major) and how each was made.</summary>
public sealed class TextToImageResult(Tensor? images, Tensor latents, IReadOnlyList<GenerationParameters> parameters) : IDisposable
{
    /// <summary>Decoded images; null when the request asked for latents only.</summary>
    public Tensor? Images { get; } = images;

    /// <summary>Final latents [N,C,h,w] (float32, CPU), before the VAE's scaling.</summary>
    public Tensor Latents { get; } = latents;

    /// <summary>One entry per image: prompt, negative prompt, seed, steps, guidance, scheduler, size, model.</summary>
    public IReadOnlyList<GenerationParameters> Parameters { get; } = parameters;

    /// <summary>Writes image <paramref name="index"/> as a PNG carrying its parameters (and the LoRAs applied, when given).</summary>
    public void SavePng(int index, string path, IReadOnlyDictionary<string, string>? extraText = null, string? lora = null)
    {
        if (Images is null) throw new InvalidOperationException("the images were not decoded (request.Decode = false)");
        using var image = Images[index];
        var parameters = string.IsNullOrEmpty(lora) ? Parameters[index] : Parameters[index] with { Lora = lora };
        ImageTensors.SavePng(path, image, parameters.ToPngText(extraText));
    }

    public void Dispose()
    {
        Images?.Dispose();
        Latents.Dispose();
    }
}
