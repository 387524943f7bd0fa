using static TorchSharp.torch;

namespace Probe.Diffusion.Pipelines;

/// <summary>
/// What to generate: prompts × <see cref="ImagesPerPrompt"/> images, prompt-major (prompt 0's images first). Every image
/// has its own seed, so any image can be reproduced alone whatever the batch it was made in.
/// </summary>
public sealed record TextToImageRequest
{
    public required IReadOnlyList<string> Prompts { get; init; }

    /// <summary>One negative prompt for all prompts, or null for the empty prompt (diffusers' default).</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>Per-prompt negative prompts (overrides <see cref="NegativePrompt"/>); entries may be null.</summary>
    public IReadOnlyList<string?>? NegativePrompts { get; init; }

    public int ImagesPerPrompt { get; init; } = 1;
    public int Steps { get; init; } = 50;
    public double GuidanceScale { get; init; } = 7.5;

    /// <summary>Image size in pixels; null = the UNet's sample size × the VAE's scale factor.</summary>
    public int? Height { get; init; }
    public int? Width { get; init; }

    /// <summary>DDIM η: 0 deterministic; &gt; 0 stochastic (the trajectory then has a log-probability per step).</summary>
    public double Eta { get; init; }

    /// <summary>Seeds, one per image (prompt-major). When null, image i gets <see cref="Seed"/> + i.</summary>
    public IReadOnlyList<long>? Seeds { get; init; }
    public long Seed { get; init; }

    /// <summary>Explicit initial latents [N,C,h,w] (unit Gaussian; scaled by the scheduler's init sigma). Seeds still drive η noise.</summary>
    public Tensor? Latents { get; init; }

    /// <summary>Images denoised together; bounds memory (the UNet sees twice this with guidance).</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Decode latents to images (false: return only latents, for training rollouts that decode themselves).</summary>
    public bool Decode { get; init; } = true;

    public int ImageCount => Prompts.Count * ImagesPerPrompt;

    public long SeedOf(int image) => Seeds is null ? Seed + image : Seeds[image];

    public string? NegativePromptOf(int prompt) => NegativePrompts is null ? NegativePrompt : NegativePrompts[prompt];

    internal void Validate()
    {
        if (Prompts.Count == 0) throw new ArgumentException("no prompts given");
        if (ImagesPerPrompt < 1) throw new ArgumentException($"images per prompt must be at least 1, got {ImagesPerPrompt}");
        if (Steps < 1) throw new ArgumentException($"steps must be at least 1, got {Steps}");
        if (BatchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {BatchSize}");
        if (!(Eta >= 0) || double.IsInfinity(Eta)) throw new ArgumentException($"eta must be a finite number ≥ 0, got {Eta}");
        if (!double.IsFinite(GuidanceScale)) throw new ArgumentException($"guidance scale must be finite, got {GuidanceScale}");
        if (Seeds is not null && Seeds.Count != ImageCount)
            throw new ArgumentException($"{Seeds.Count} seeds given for {ImageCount} images ({Prompts.Count} prompts × {ImagesPerPrompt})");
        if (NegativePrompts is not null && NegativePrompts.Count != Prompts.Count)
            throw new ArgumentException($"{NegativePrompts.Count} negative prompts given for {Prompts.Count} prompts");
        if (Latents is not null && Latents.shape[0] != ImageCount)
            throw new ArgumentException($"latents hold {Latents.shape[0]} images, {ImageCount} requested");
    }
}
