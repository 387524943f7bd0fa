using Probe.Core.Images;
using Probe.Diffusion.Pipelines;
using Probe.Evaluation.Runs;
using Probe.Judging;
using static TorchSharp.torch;

namespace Probe.Runner.Evaluation;

/// <summary>The text-to-image pipeline as an evaluation's generator: one image per planned sample, saved as a PNG with its parameters.</summary>
public sealed class ImageSampleGenerator(TextToImagePipeline pipeline, int steps, double eta, string lora) : ISampleGenerator<TextToImageResult>
{
    public TextToImageResult Generate(IReadOnlyList<PlannedSample> batch, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var first = batch[0];
        var request = new TextToImageRequest
        {
            Prompts = batch.Select(p => p.Prompt.Prompt).ToList(), Seeds = batch.Select(p => p.Seed).ToList(),
            NegativePrompt = first.NegativePrompt, Steps = steps, GuidanceScale = first.Guidance,
            Width = first.Width, Height = first.Height, Eta = eta, BatchSize = batch.Count,
        };
        return pipeline.Generate(request, cancel: cancel);
    }

    public void Save(TextToImageResult output, int index, PlannedSample sample, string path)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var scope = NewDisposeScope();
        output.SavePng(index, path, new Dictionary<string, string> { ["probe"] = EvalRun<TextToImageResult>.ArtefactTag(sample) }, lora);
    }
}

/// <summary>An image judge over a generated batch: the images are rounded to 8-bit RGB first (synchronously, in a dispose scope), then judged.</summary>
public sealed class ImageSampleJudge(IImageJudge judge) : ISampleJudge<TextToImageResult>
{
    public Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(TextToImageResult output, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(output);
        IReadOnlyList<RgbImage> images;
        using (NewDisposeScope())
            images = RgbImage.FromTensorBatch(output.Images ?? throw new InvalidOperationException("the evaluation asked for images but got latents only"));
        return judge.JudgeAsync(images, cancel);
    }
}
