using Probe.Diffusion.Pipelines;
using Probe.Grpo.Diffusion;

namespace Probe.Tests.Grpo;

/// <summary>The tiny SD-architecture pipeline (32×32 images, 16×16 latents) and small, fast GRPO settings.</summary>
internal static class GrpoTestKit
{
    public static string PipelineDir => Path.Combine(Fixtures.Root, "sd21-tiny", "pipeline");

    public static TextToImagePipeline LoadPipeline() =>
        TextToImagePipeline.FromPretrained(PipelineDir, new PipelineOptions { Scheduler = "ddim", ModelId = "sd21-tiny" });

    public static readonly string[] Prompts = ["a red fox in the snow", "a lighthouse at dusk"];

    /// <summary>2 prompts × 4 images × 4 steps, one optimiser step per update.</summary>
    public static GrpoConfig Small => new()
    {
        Seed = 1234, Updates = 3, GroupSize = 4, Steps = 4, GuidanceScale = 3.0, RolloutBatchSize = 8,
        TrainBatchSize = 4, GradientAccumulationSteps = 2, LearningRate = 1e-2, ClipRange = 0.2, CheckpointEvery = 1,
    };
}
