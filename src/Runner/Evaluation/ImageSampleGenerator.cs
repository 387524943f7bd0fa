using Probe.Core.Images;
using Probe.Diffusion.Images;
using Probe.Diffusion.Pipelines;
using Probe.Evaluation.Runs;
using Probe.Judging;
using static TorchSharp.torch;

namespace Probe.Runner.Evaluation;

/// <summary>
/// The text-to-image pipeline as an evaluation's generator: one image per planned sample. Each batch is rounded to
/// 8-bit RGB once, right after generation (inside a dispose scope, before any await); the judge sees those pixels and
/// the PNG stores them, so the verdict is always about the file on disk.
/// </summary>
public sealed class ImageSampleGenerator(TextToImagePipeline pipeline, int steps, double eta, string lora) : ISampleGenerator<GeneratedImages>
{
    public GeneratedImages Generate(IReadOnlyList<PlannedSample> batch, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var first = batch[0];
        var request = new TextToImageRequest
        {
            Prompts = batch.Select(p => p.Prompt.Prompt).ToList(), Seeds = batch.Select(p => p.Seed).ToList(),
            NegativePrompt = first.NegativePrompt, Steps = steps, GuidanceScale = first.Guidance,
            Width = first.Width, Height = first.Height, Eta = eta, BatchSize = batch.Count,
        };
        using var scope = NewDisposeScope();
        using var result = pipeline.Generate(request, cancel: cancel);
        var images = RgbImage.FromTensorBatch(result.Images ?? throw new InvalidOperationException("the evaluation asked for images but got latents only"));
        var parameters = string.IsNullOrEmpty(lora) ? result.Parameters : result.Parameters.Select(p => p with { Lora = lora }).ToArray();
        return new GeneratedImages(images, parameters);
    }

    public void Save(GeneratedImages output, int index, PlannedSample sample, string path)
    {
        ArgumentNullException.ThrowIfNull(output);
        var image = output.Images[index];
        var text = output.Parameters[index].ToPngText(new Dictionary<string, string> { ["probe"] = EvalRun<GeneratedImages>.ArtefactTag(sample) });
        PngFile.Write(path, image.Width, image.Height, image.Pixels, text);
    }
}

/// <summary>One generated batch: its 8-bit images and how each was made. Holds no tensors.</summary>
public sealed record GeneratedImages(IReadOnlyList<RgbImage> Images, IReadOnlyList<GenerationParameters> Parameters);

/// <summary>An image judge over a generated batch's 8-bit images.</summary>
public sealed class ImageSampleJudge(IImageJudge judge) : ISampleJudge<GeneratedImages>
{
    public Task<IReadOnlyList<JudgeVerdict>> JudgeAsync(GeneratedImages output, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(output);
        return judge.JudgeAsync(output.Images, cancel);
    }
}
