using System.CommandLine;
using Probe.Core;
using Probe.Core.Hub;
using Probe.Runner.Config;

namespace Probe.Runner.Cli;

/// <summary>
/// The options every command that runs a model shares (<c>--model --revision --variant --device --dtype</c>), and
/// turning them into a loaded pipeline: local folder, Hugging Face cache, or a download with a progress bar.
/// </summary>
public sealed class ModelOptions
{
    /// <param name="modelRequired">Whether --model must be given (false where a --config file may name the model).</param>
    public ModelOptions(bool modelRequired)
    {
        Model = new Option<string?>("--model")
        {
            Description = "A diffusers folder, or a Hugging Face hub id (used from the local HF cache, else downloaded).",
            Required = modelRequired,
        };
    }

    public Option<string?> Model { get; }
    public Option<string?> Revision { get; } = new("--revision") { Description = "Hub branch, tag or commit (default main)." };
    public Option<string?> Variant { get; } = new("--variant") { Description = "Weights variant, e.g. fp16 (*.fp16.safetensors)." };
    public Option<string?> Device { get; } = new("--device") { Description = $"cpu, cuda, cuda:N or auto (default {RunConfig.DefaultDevice})." };
    public Option<string?> DType { get; } = new("--dtype") { Description = $"float32, bfloat16 or float16 (default {RunConfig.DefaultDType})." };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Model);
        command.Options.Add(Revision);
        command.Options.Add(Variant);
        command.Options.Add(Device);
        command.Options.Add(DType);
    }

    /// <summary><paramref name="config"/> with the model flags actually given on the command line applied over it.</summary>
    public RunConfig Apply(ParseResult parse, RunConfig config)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(config);
        var model = parse.GetValue(Model) is { } m ? (Directory.Exists(m) ? Path.GetFullPath(m) : m) : config.Model;
        return config with
        {
            Model = model, Revision = parse.GetValue(Revision) ?? config.Revision, Variant = parse.GetValue(Variant) ?? config.Variant,
            Device = parse.GetValue(Device) ?? config.Device, DType = parse.GetValue(DType) ?? config.DType,
        };
    }

    /// <summary>A diffusers folder, or a hub id from the local HF cache or downloaded into it, with a progress bar.</summary>
    public static async Task<ResolvedModel> Resolve(string model, string? revision, string? variant, TextWriter log, CancellationToken cancel,
                                                    IRepoLayout? layout = null)
    {
        using var resolver = new ModelResolver(HubSettings.FromEnvironment());
        using var bar = new ConsoleProgress(log, "download");
        var progress = new SynchronousProgress<DownloadProgress>(p => bar.Update(p.BytesDone, p.BytesTotal,
            p.BytesPerSecond > 0 ? $"{ConsoleProgress.Bytes(p.BytesPerSecond)}/s {p.File}" : p.File));
        try
        {
            var resolved = await resolver.ResolveAsync(new ModelRequest(model, revision, variant) { Layout = layout ?? DiffusersPipelineLayout.Instance }, progress, cancel);
            if (resolved.Source == ModelSource.HubDownload) bar.Finish("complete");
            log.WriteLine($"model: {resolved}");
            return resolved;
        }
        catch (ModelResolutionException e)
        {
            throw new UserError(e.Message, e);
        }
    }
}
