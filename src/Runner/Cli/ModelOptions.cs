using System.CommandLine;
using Probe.Core;
using Probe.Core.Hub;
using Probe.Core.Torch;
using Probe.Diffusion.Pipelines;

namespace Probe.Runner.Cli;

/// <summary>
/// The options every command that runs a model shares (<c>--model --revision --variant --device --dtype</c>), and
/// turning them into a loaded pipeline: local folder, Hugging Face cache, or a download with a progress bar.
/// </summary>
public sealed class ModelOptions
{
    public Option<string> Model { get; } = new("--model")
    {
        Description = "A diffusers folder, or a Hugging Face hub id (used from the local HF cache, else downloaded).",
        Required = true,
    };
    public Option<string?> Revision { get; } = new("--revision") { Description = "Hub branch, tag or commit (default main)." };
    public Option<string?> Variant { get; } = new("--variant") { Description = "Weights variant, e.g. fp16 (*.fp16.safetensors)." };
    public Option<string> Device { get; } = new("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "auto" };
    public Option<string> DType { get; } = new("--dtype") { Description = "float32, bfloat16 or float16.", DefaultValueFactory = _ => "float32" };

    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Revision);
        command.Options.Add(Variant);
        command.Options.Add(Device);
        command.Options.Add(DType);
    }

    /// <summary>Finds the model folder (downloading when needed) and reports where it came from.</summary>
    public Task<ResolvedModel> ResolveAsync(ParseResult parse, TextWriter log, CancellationToken cancel) =>
        Resolve(parse.GetValue(Model)!, parse.GetValue(Revision), parse.GetValue(Variant), log, cancel);

    /// <summary>A diffusers folder, or a hub id from the local HF cache or downloaded into it, with a progress bar.</summary>
    public static async Task<ResolvedModel> Resolve(string model, string? revision, string? variant, TextWriter log, CancellationToken cancel)
    {
        using var resolver = new ModelResolver(HubSettings.FromEnvironment());
        using var bar = new ConsoleProgress(log, "download");
        var progress = new SynchronousProgress<DownloadProgress>(p => bar.Update(p.BytesDone, p.BytesTotal,
            p.BytesPerSecond > 0 ? $"{ConsoleProgress.Bytes(p.BytesPerSecond)}/s {p.File}" : p.File));
        try
        {
            var resolved = await resolver.ResolveAsync(new ModelRequest(model, revision, variant), progress, cancel);
            if (resolved.Source == ModelSource.HubDownload) bar.Finish("complete");
            log.WriteLine($"model: {resolved}");
            return resolved;
        }
        catch (ModelResolutionException e)
        {
            throw new UserError(e.Message, e);
        }
    }

    public PipelineOptions PipelineOptions(ParseResult parse, ResolvedModel model, string? scheduler = null, int clipSkip = 0) => new()
    {
        DType = TorchRuntime.ParseDType(parse.GetValue(DType)!),
        Device = TorchRuntime.ParseDevice(parse.GetValue(Device)!),
        Variant = parse.GetValue(Variant),
        Scheduler = scheduler,
        ClipSkip = clipSkip,
        ModelId = model.RepoId ?? parse.GetValue(Model),
    };
}
