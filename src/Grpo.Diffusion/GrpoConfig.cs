using System.Text.Json.Serialization;
using Probe.Diffusion.Lora;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// Every hyper-parameter of a GRPO run over denoising trajectories. Defaults are the published GRP-Obliteration values
/// for Stable Diffusion 2.1 where the issue states them (group of 5, 20 DDIM steps, η = 1) and ddpo-pytorch's
/// (config/base.py) elsewhere; docs/GRPO.md lists each key with both. JSON names are the snake_case keys.
/// Compute precision is the pipeline's dtype; the LoRA weights (the only trained tensors) stay float32.
/// </summary>
public sealed record GrpoConfig : GrpoSettings
{
    /// <summary>T: DDIM steps per trajectory (published: 20).</summary>
    [JsonPropertyName("steps")] public int Steps { get; init; } = 20;

    /// <summary>DDIM η (published: 1.0, the DDPM-like stochastic sampler that gives each step a log-probability).</summary>
    [JsonPropertyName("eta")] public double Eta { get; init; } = 1.0;

    [JsonPropertyName("guidance_scale")] public double GuidanceScale { get; init; } = 7.5;
    [JsonPropertyName("negative_prompt")] public string? NegativePrompt { get; init; }

    /// <summary>Image size in pixels; null = the model's default.</summary>
    [JsonPropertyName("height")] public int? Height { get; init; }
    [JsonPropertyName("width")] public int? Width { get; init; }

    /// <summary>Images denoised together during rollouts (the memory budget of sampling; the UNet sees twice this with guidance).</summary>
    [JsonPropertyName("rollout_batch_size")] public int RolloutBatchSize { get; init; } = 8;

    /// <summary>Fraction of each trajectory's steps trained on (ddpo's timestep_fraction): ⌊T·fraction⌋ random steps per trajectory.</summary>
    [JsonPropertyName("timestep_fraction")] public double TimestepFraction { get; init; } = 1.0;

    /// <summary>Recompute the guided noise prediction in training, as sampled (ddpo's train.cfg).</summary>
    [JsonPropertyName("cfg_in_training")] public bool CfgInTraining { get; init; } = true;

    /// <summary>Recompute resnet/transformer activations in backward instead of keeping them (less memory, ~1 extra forward).</summary>
    [JsonPropertyName("gradient_checkpointing")] public bool GradientCheckpointing { get; init; }

    /// <summary>The trained adapter (ddpo-pytorch: rank 4 on the attention projections, scale 1).</summary>
    [JsonPropertyName("lora")] public LoraConfig Lora { get; init; } = new();

    /// <summary>Number of training steps per trajectory: ⌊T · timestep_fraction⌋ (at least 1).</summary>
    public int TrainTimestepsPerTrajectory => Math.Max(1, (int)(Steps * TimestepFraction));

    /// <summary>Checks every key; throws <see cref="GrpoConfigException"/> listing all problems.</summary>
    protected override void ValidateModality(List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        void Need(bool ok, string key, object? value, string rule)
        {
            if (!ok) problems.Add($"{key} = {value ?? "null"}: {rule}");
        }
        Need(Steps >= 1 && Steps <= 1000, "steps", Steps, "must be in [1, 1000]");
        Need(Eta > 0 && double.IsFinite(Eta), "eta", Eta, "must be > 0: with η = 0 DDIM is deterministic and a step has no log-probability");
        Need(double.IsFinite(GuidanceScale), "guidance_scale", GuidanceScale, "must be finite");
        Need(Height is null or > 0, "height", Height, "must be positive");
        Need(Width is null or > 0, "width", Width, "must be positive");
        Need(RolloutBatchSize >= 1, "rollout_batch_size", RolloutBatchSize, "must be at least 1");
        Need(TimestepFraction > 0 && TimestepFraction <= 1, "timestep_fraction", TimestepFraction, "must be in (0, 1]");
        try
        {
            Lora.Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add($"lora: {e.Message}");
        }
    }
}
