using Probe.Diffusion.Pipelines;
using Probe.Grpo.Diffusion;
using static TorchSharp.torch;

namespace Probe.Tests.Grpo;

public class PrecisionTests
{
    [Test]
    public void Bfloat16_compute_trains_float32_lora_weights()
    {
        using var pipeline = TextToImagePipeline.FromPretrained(GrpoTestKit.PipelineDir,
            new PipelineOptions { Scheduler = "ddim", DType = ScalarType.BFloat16 });
        var config = GrpoTestKit.Small with { Updates = 1, GroupSize = 2, Steps = 2, TrainBatchSize = 4, GradientAccumulationSteps = 1 };
        var result = new GrpoTrainer(pipeline, new RednessReward(), config).Run(GrpoTestKit.Prompts);
        var update = result.History.Single();
        Assert.Multiple(() =>
        {
            Assert.That(result.Adapter.Parameters().Select(p => p.dtype), Has.All.EqualTo(ScalarType.Float32), "master weights stay float32");
            Assert.That(pipeline.Unet.conv_in.weight!.dtype, Is.EqualTo(ScalarType.BFloat16), "the base computes in bfloat16");
            Assert.That(double.IsFinite(update.Loss) && double.IsFinite(update.GradNorm) && update.GradNorm > 0, Is.True);
            Assert.That(update.SkippedSteps, Is.Zero);
            Assert.That(result.Adapter.NamedParameters().Where(p => p.Name.EndsWith("lora_B.weight", StringComparison.Ordinal))
                .Any(p => p.Parameter.abs().max().item<float>() > 0), Is.True, "the optimiser moved B off zero");
        });
    }
}
