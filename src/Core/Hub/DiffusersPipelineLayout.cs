namespace Probe.Core.Hub;

/// <summary>
/// A diffusers pipeline as <c>DiffusionPipeline.save_pretrained</c> writes it: <c>model_index.json</c> naming the
/// components and one folder per component; <see cref="PipelineFileSelector"/> chooses the files.
/// </summary>
public sealed class DiffusersPipelineLayout : IRepoLayout
{
    public static DiffusersPipelineLayout Instance { get; } = new();

    DiffusersPipelineLayout()
    {
    }

    public string Name => "diffusers pipeline";

    public string Noun => "pipeline";

    public string MarkerFile => PipelineFileSelector.ModelIndexFile;

    public string SaveHint => "save one with pipe.save_pretrained(dir)";

    public string VariantExample(string variant) => $"unet/diffusion_pytorch_model.{variant}.safetensors";

    public string NoVariantWeights(string variant) =>
        $"no component has weights of variant '{variant}' (such as {VariantExample(variant)})";

    public RepoSelection Select(ReadOnlySpan<byte> marker, IReadOnlyCollection<string> files, string? variant, IReadOnlyCollection<string>? components) =>
        PipelineFileSelector.Select(marker, files, variant, components);

    public override string ToString() => Name;
}
