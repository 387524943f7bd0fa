using Probe.Core.Hub;
using Probe.Core.Torch;
using Probe.Diffusion.Pipelines;
using Probe.Runner.Config;
using Probe.Runner.Evaluation;

namespace Probe.Runner.Cli;

/// <summary>
/// The one way every command gets a text-to-image pipeline: resolve <c>--model</c> (folder, HF cache or download with a
/// progress bar), load it on the requested device and dtype with the scheduler asked for, and stack the LoRAs.
/// </summary>
public static class PipelineLoading
{
    /// <summary>The config's model, or the one error every command gives without one (checked before any work starts).</summary>
    public static string RequireModel(RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Model ?? throw new UserError("no model: pass --model (a diffusers folder or hub id) or set 'model' in the config");
    }

    /// <param name="scheduler">A scheduler name that overrides the config's (the attack needs ddim), or null.</param>
    public static async Task<LoadedPipeline> LoadAsync(RunConfig config, TextWriter log, CancellationToken cancel, string? scheduler = null)
    {
        var model = await ModelOptions.Resolve(RequireModel(config), config.Revision, config.Variant, log, cancel);
        var options = new PipelineOptions
        {
            DType = TorchRuntime.ParseDType(config.DType), Device = TorchRuntime.ParseDevice(config.Device), Variant = config.Variant,
            Scheduler = scheduler ?? config.Scheduler, ClipSkip = config.ClipSkip, ModelId = model.RepoId ?? config.Model,
        };
        var pipeline = TextToImagePipeline.FromPretrained(model.Path, options);
        try
        {
            var lora = LoraLoading.Apply(pipeline, config.Loras, log);
            return new LoadedPipeline(pipeline, model, options, lora);
        }
        catch
        {
            pipeline.Dispose();
            throw;
        }
    }
}

/// <summary>A loaded pipeline with where it came from, how it was loaded and the label of its LoRAs ("a.safetensors:1+b.safetensors:0.8").</summary>
public sealed record LoadedPipeline(TextToImagePipeline Pipeline, ResolvedModel Model, PipelineOptions Options, string LoraLabel) : IDisposable
{
    public void Dispose() => Pipeline.Dispose();
}
