using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion.Benchmarks;

/// <summary>What <see cref="GrpoBenchmark"/> measures: G images × T steps per update at each latent size, per UNet.</summary>
public sealed record GrpoBenchmarkOptions
{
    /// <summary>A diffusers pipeline folder supplying tokenizer, text encoder, VAE and scheduler (the tiny test model).</summary>
    public required string PipelineDir { get; init; }

    public int GroupSize { get; init; } = 8;
    public int Steps { get; init; } = 20;
    public int[] LatentSizes { get; init; } = [16, 32];

    /// <summary>Which UNets: "tiny" (the pipeline's own) and "medium" (random weights, block_out_channels [128,256,512,512]).</summary>
    public string[] Models { get; init; } = ["tiny", "medium"];

    public int WarmupUpdates { get; init; } = 1;
    public int MeasuredUpdates { get; init; } = 2;

    /// <summary>Measure each case with and without gradient checkpointing (false: only without).</summary>
    public bool CompareGradientCheckpointing { get; init; }

    public Device? Device { get; init; }
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>libtorch intra-op threads; null leaves libtorch's default.</summary>
    public int? Threads { get; init; }
}
