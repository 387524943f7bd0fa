using Probe.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace Probe.Grpo.Diffusion;

/// <summary>
/// Samples G images per prompt with the pipeline's DDIM loop (η &gt; 0) under no-grad, each from its own seed, and
/// keeps the trajectory through the pipeline's step callback (cloned, since the callback's tensors die with the step).
/// Chunked by <see cref="GrpoConfig.RolloutBatchSize"/> images at a time.
/// </summary>
public static class RolloutSampler
{
    public static Rollout Sample(TextToImagePipeline pipeline, IReadOnlyList<string> prompts, long[] seeds, GrpoConfig config,
                                 IProgress<DenoisingProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(config);
        var count = prompts.Count * config.GroupSize;
        if (seeds.Length != count) throw new ArgumentException($"{seeds.Length} seeds for {count} images");
        var request = new TextToImageRequest
        {
            Prompts = prompts, ImagesPerPrompt = config.GroupSize, Seeds = seeds, Steps = config.Steps, Eta = config.Eta,
            GuidanceScale = config.GuidanceScale, NegativePrompt = config.NegativePrompt, Height = config.Height, Width = config.Width,
            BatchSize = config.RolloutBatchSize,
        };

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor? latents = null;
        Tensor? logProbs = null;
        var timesteps = new long[config.Steps];
        try
        {
            using var result = pipeline.Generate(request, step =>
            {
                var b = step.Latents.shape[0];
                if (latents is null)
                {
                    var shape = new[] { count, config.Steps + 1L }.Concat(step.Latents.shape.Skip(1)).ToArray();
                    latents = zeros(shape, dtype: ScalarType.Float32, device: step.Latents.device).DetachFromDisposeScope();
                    logProbs = zeros([count, config.Steps], dtype: ScalarType.Float32, device: step.Latents.device).DetachFromDisposeScope();
                }
                using var inner = NewDisposeScope();
                var rows = latents.narrow(0, step.FirstImage, b);
                if (step.StepIndex == 0) rows.select(1, 0).copy_(step.Latents);
                rows.select(1, step.StepIndex + 1).copy_(step.NextLatents);
                logProbs!.narrow(0, step.FirstImage, b).select(1, step.StepIndex).copy_(step.LogProb!);
                timesteps[step.StepIndex] = step.Timestep.item<long>();
            }, progress, cancel);

            if (latents is null || logProbs is null) throw new InvalidOperationException("the pipeline reported no denoising steps");
            var device = latents.device;
            var negatives = Enumerable.Range(0, prompts.Count).Select(_ => config.NegativePrompt ?? "").ToList();
            var promptEmbeds = pipeline.EncodePrompts(prompts);
            var negativeEmbeds = pipeline.EncodePrompts(negatives);
            var images = result.Images!.clone();
            var t = tensor(timesteps, dtype: ScalarType.Int64, device: device);
            return new Rollout(prompts.ToArray(), config.GroupSize, seeds, latents, t.DetachFromDisposeScope(), logProbs,
                               promptEmbeds.DetachFromDisposeScope(), negativeEmbeds.DetachFromDisposeScope(), images.DetachFromDisposeScope());
        }
        catch
        {
            latents?.Dispose();
            logProbs?.Dispose();
            throw;
        }
    }
}
