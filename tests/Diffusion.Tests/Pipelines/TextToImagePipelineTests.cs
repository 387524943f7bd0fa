using Probe.Diffusion.Pipelines;
using Probe.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace Probe.Tests;

public class TextToImagePipelineTests
{
    static TextToImagePipeline? _pipeline;

    static TextToImagePipeline Pipeline => _pipeline ??= TextToImagePipeline.FromPretrained(
        Path.Combine(ReferenceSet.All().First(), "pipeline"), new PipelineOptions { Scheduler = "ddim", ModelId = "sd21-tiny" });

    [OneTimeTearDown]
    public void Dispose()
    {
        _pipeline?.Dispose();
        _pipeline = null;
    }

    static TextToImageRequest Request(double eta, int batch, params long[] seeds) => new()
    {
        Prompts = ["a red fox", "a blue bird"], ImagesPerPrompt = seeds.Length / 2, Seeds = seeds, Steps = 5,
        GuidanceScale = 5, Eta = eta, BatchSize = batch,
    };

    [TestCase(0.0)]
    [TestCase(1.0)]
    public void An_image_is_reproducible_alone_whatever_its_batch(double eta)
    {
        using var batched = Pipeline.Generate(Request(eta, batch: 4, 11, 12, 13, 14));
        using var alone = Pipeline.Generate(new TextToImageRequest
        {
            Prompts = ["a blue bird"], Seeds = [13], Steps = 5, GuidanceScale = 5, Eta = eta, BatchSize = 1,
        });
        var difference = (batched.Images![2] - alone.Images![0]).abs().max().item<float>();
        Assert.That(difference, Is.LessThan(1e-5f), "image 2 of the batch equals the same seed generated alone");
        Assert.That((batched.Images[2] - batched.Images[3]).abs().max().item<float>(), Is.GreaterThan(1e-3f), "other seeds give other images");
    }

    [Test]
    public void Stochastic_steps_report_the_ddpo_log_probability_of_the_sample_taken()
    {
        var ddim = (DDIMScheduler)Pipeline.Scheduler;
        var checkedSteps = 0;
        using var result = Pipeline.Generate(Request(1.0, batch: 2, 1, 2), step =>
        {
            Assert.That(step.LogProb, Is.Not.Null);
            Assert.That(step.LogProb!.shape, Is.EqualTo(new long[] { 2 }));
            using var again = DDIMLogProb.Of(ddim, step.NoisePrediction, step.Timestep, step.Latents, step.NextLatents, eta: 1.0);
            Assert.That((again - step.LogProb).abs().max().item<float>(), Is.LessThan(1e-6f));
            var z = (step.NextLatents - step.Mean!) / step.Std!;
            Assert.That(z.std().item<float>(), Is.EqualTo(1f).Within(0.2f), "the step's noise is unit Gaussian");
            checkedSteps++;
        });
        Assert.That(checkedSteps, Is.EqualTo(5));
    }

    [Test]
    public void Deterministic_steps_have_no_log_probability()
    {
        using var result = Pipeline.Generate(Request(0.0, batch: 2, 1, 2), step => Assert.That(step.LogProb, Is.Null));
        Assert.That(result.Images!.shape, Is.EqualTo(new long[] { 2, 3, 32, 32 }));
        Assert.That(result.Images.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
        Assert.That(result.Images.max().item<float>(), Is.LessThanOrEqualTo(1f));
    }

    [Test]
    public void Generation_stops_when_cancelled()
    {
        using var cancel = new CancellationTokenSource();
        var steps = 0;
        Assert.Throws<OperationCanceledException>(() => Pipeline.Generate(Request(0.0, batch: 1, 1, 2), _ =>
        {
            if (++steps == 2) cancel.Cancel();
        }, cancel: cancel.Token).Dispose());
        Assert.That(steps, Is.EqualTo(2));
    }

    [Test]
    public void Parameters_record_how_each_image_was_made()
    {
        using var result = Pipeline.Generate(Request(0.0, batch: 4, 7, 8, 9, 10) with { NegativePrompts = ["blurry", null] });
        var p = result.Parameters[3];
        Assert.That((p.Prompt, p.NegativePrompt, p.Seed, p.Steps, p.Scheduler, p.Width, p.Model),
            Is.EqualTo(("a blue bird", (string?)null, 10L, 5, "ddim", 32, "sd21-tiny")));
        Assert.That(result.Parameters[0].NegativePrompt, Is.EqualTo("blurry"));
    }

    [Test]
    public void Sizes_the_vae_cannot_produce_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Pipeline.Generate(Request(0.0, 1, 1, 2) with { Height = 33 }).Dispose());
        Assert.That(e!.Message, Does.Contain("multiple of 2"));
    }

    [TestCase("euler")]
    [TestCase("dpmpp2m")]
    public void Other_schedulers_denoise_the_same_model(string scheduler)
    {
        using var pipeline = TextToImagePipeline.FromPretrained(Path.Combine(ReferenceSet.All().First(), "pipeline"),
            new PipelineOptions { Scheduler = scheduler });
        using var result = pipeline.Generate(Request(0.0, batch: 2, 1, 2));
        Assert.That(result.Parameters[0].Scheduler, Is.EqualTo(scheduler));
        Assert.That(result.Images!.isfinite().all().item<bool>(), Is.True);
        var e = Assert.Throws<ArgumentException>(() => pipeline.Generate(Request(1.0, batch: 2, 1, 2)).Dispose());
        Assert.That(e!.Message, Does.Contain("DDIM"));
    }

    [Test]
    public void Bfloat16_generation_stays_close_to_float32()
    {
        using var bf16 = TextToImagePipeline.FromPretrained(Path.Combine(ReferenceSet.All().First(), "pipeline"),
            new PipelineOptions { Scheduler = "ddim", DType = ScalarType.BFloat16 });
        using var low = bf16.Generate(Request(0.0, batch: 2, 1, 2));
        using var full = Pipeline.Generate(Request(0.0, batch: 2, 1, 2));
        var error = (low.Images! - full.Images!).abs().mean().item<float>();
        Assert.That(error, Is.LessThan(0.02f), "mean absolute pixel difference of bf16 vs fp32");
        Assert.That(low.Parameters[0].DType, Is.EqualTo("bfloat16"));
    }
}
