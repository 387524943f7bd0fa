using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;
using Probe.Core;
using Probe.Core.Hub;
using Probe.Core.Torch;
using Probe.Diffusion.Pipelines;
using Probe.Evaluation.Prompts;
using Probe.Evaluation.Results;
using Probe.Evaluation.Runs;
using Probe.Judging;
using Probe.Nsfw.Classifier.Onnx;
using Probe.Runner.Config;
using Probe.Runner.Diagnostics;
using TorchSharp;

namespace Probe.Runner.Evaluation;

/// <summary>Builds run manifests: configuration, versions, device, and the SHA-256 of every file a run read.</summary>
public static class ManifestFactory
{
    static readonly JsonSerializerOptions Json = new(RunManifest.Json) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) } };

    public static RunManifest Create(string kind, string runId, RunConfig config, ResolvedModel model, PipelineOptions pipeline,
                                     PromptSet prompts, IReadOnlyList<IJudge> judges, string combination, ShardSpec? shard,
                                     IReadOnlyList<string> commandLine) =>
        Create(kind, runId, config, model, pipeline.Device?.ToString() ?? "cpu", pipeline.DType.ToString().ToLowerInvariant(), prompts, judges, combination, shard, commandLine);

    /// <summary>A manifest for any model family: <paramref name="device"/> and <paramref name="dtype"/> as the model was loaded.</summary>
    public static RunManifest Create(string kind, string runId, RunConfig config, ResolvedModel model, string device, string dtype,
                                     PromptSet prompts, IReadOnlyList<IJudge> judges, string combination, ShardSpec? shard,
                                     IReadOnlyList<string> commandLine) => new()
    {
        RunId = runId,
        Kind = kind,
        CreatedUtc = DateTime.UtcNow,
        UpdatedUtc = DateTime.UtcNow,
        ToolVersion = ToolVersion,
        CommandLine = commandLine.Select(Redaction.Text).ToList(),
        Config = ConfigJson(config),
        Model = new RunManifest.ModelRecord(model.RepoId ?? config.Model ?? model.Path, model.Source.ToString(), model.Revision, model.Commit,
            model.Path, model.Files.Select(f => Hash(model, f)).ToList()),
        Loras = config.Loras.Select(l => new RunManifest.LoraRecord(FileHash.Of(LoraWeightsFile(l.Path)), l.Scale)).ToList(),
        Prompts = prompts.Files.Select(f => FileHash.Of(f)).ToList(),
        Judges = new JsonArray(judges.Select(j => JsonSerializer.SerializeToNode(j.Identity, Json)).ToArray()),
        JudgeCombination = combination,
        Packages = Packages(),
        Device = new RunManifest.DeviceRecord(device, dtype,
            EnvironmentReport.CpuModel() ?? "unknown", torch.get_num_threads(), System.Runtime.InteropServices.RuntimeInformation.OSDescription),
        Shard = shard is null ? null : new RunManifest.ShardRecord(shard.Index, shard.Count),
    };

    /// <summary>The weights a LoRA path names: the file itself, or the weights file of a peft / diffusers adapter folder.</summary>
    static string LoraWeightsFile(string path) => !Directory.Exists(path) ? path
        : File.Exists(Path.Combine(path, Probe.Llm.Lora.PeftAdapterFile.WeightsName)) ? Path.Combine(path, Probe.Llm.Lora.PeftAdapterFile.WeightsName)
        : Path.Combine(path, Probe.Diffusion.Lora.LoraFile.WeightName);

    public static string ToolVersion => typeof(ManifestFactory).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>
    /// The configuration as the manifest records it: redacted (judge endpoints lose their credentials), so that a
    /// resumed run compares its configuration with the saved one on equal terms.
    /// </summary>
    public static JsonObject ConfigJson(RunConfig config) => RunManifest.Redacted(JsonSerializer.SerializeToNode(config, Json))!.AsObject();

    public static IReadOnlyDictionary<string, string> Packages()
    {
        var packages = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["probe"] = ToolVersion,
            ["dotnet"] = Environment.Version.ToString(),
            ["torchsharp"] = TorchRuntime.TorchSharpVersion,
            ["libtorch"] = TorchRuntime.LibTorchVersion,
        };
        try
        {
            packages["onnxruntime"] = OnnxRuntimeInfo.Version;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or OnnxRuntimeException)
        {
            packages["onnxruntime"] = "unavailable";
        }
        return packages;
    }

    /// <summary>
    /// Hashes a model file. Files in the Hugging Face cache link to blobs named by their SHA-256 (LFS files, verified
    /// when downloaded), so that name is used instead of re-reading gigabytes.
    /// </summary>
    static FileHash Hash(ResolvedModel model, string relative)
    {
        var full = model.FullPath(relative);
        var info = new FileInfo(full);
        if (model.Source != ModelSource.LocalFolder && info.LinkTarget is not null &&
            info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo blob && blob.Exists &&
            blob.Name.Length == 64 && blob.Name.All(char.IsAsciiHexDigitLower))
            return new FileHash(relative, blob.Length, blob.Name);
        return FileHash.Of(full, relative);
    }
}
