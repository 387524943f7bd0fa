namespace Probe.Core.Safetensors;

/// <summary>
/// How diffusers and transformers name a component's safetensors weights, and which name wins when several are
/// present. <see cref="Checkpoint.OpenComponent"/> and the hub download (<c>Probe.Diffusion.Hub</c>) share these rules,
/// so a download fetches exactly the files that loading then opens.
/// </summary>
public static class WeightFileNames
{
    /// <summary>Weights names of diffusers models (<c>diffusion_pytorch_model</c>) and transformers models (<c>model</c>).</summary>
    public static IReadOnlyList<string> DefaultNames { get; } = ["diffusion_pytorch_model", "model"];

    /// <summary>
    /// File names to look for, best first: with a <paramref name="variant"/>, for each name the variant file
    /// (<c>model.fp16.safetensors</c>), the variant index (<c>model.safetensors.index.fp16.json</c>) and the legacy
    /// variant index (<c>model.safetensors.fp16.index.json</c>); then, for each name, the plain file
    /// (<c>model.safetensors</c>) and the plain index (<c>model.safetensors.index.json</c>).
    /// A component without the variant falls back to its plain weights, as diffusers does.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string? variant, IReadOnlyList<string>? names = null)
    {
        names = names is { Count: > 0 } ? names : DefaultNames;
        var candidates = new List<string>();
        if (variant is not null)
        {
            CheckVariant(variant);
            foreach (var name in names)
            {
                candidates.Add($"{name}.{variant}.safetensors");
                candidates.Add($"{name}.safetensors.index.{variant}.json");
                candidates.Add($"{name}.safetensors.{variant}.index.json");
            }
        }
        foreach (var name in names)
        {
            candidates.Add($"{name}.safetensors");
            candidates.Add($"{name}.safetensors.index.json");
        }
        return candidates;
    }

    /// <summary>Whether <paramref name="fileName"/> is a shard index (<c>*.safetensors.index*.json</c>) rather than weights.</summary>
    public static bool IsIndex(string fileName) => fileName.EndsWith(".json", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="fileName"/> is a shard index of any weights format (safetensors or pickle).</summary>
    public static bool IsAnyIndex(string fileName) =>
        fileName.EndsWith(".json", StringComparison.Ordinal) &&
        (fileName.Contains(".safetensors.", StringComparison.Ordinal) || fileName.Contains(".bin.", StringComparison.Ordinal)) &&
        fileName.Contains("index", StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="fileName"/> holds weights in a format Probe does not read (PyTorch pickles, Flax, ONNX,
    /// TensorFlow, raw checkpoints): these are never downloaded, and their presence alone explains a missing component.
    /// </summary>
    public static bool IsOtherWeightsFormat(string fileName) =>
        OtherWeightsExtensions.Any(e => fileName.EndsWith(e, StringComparison.Ordinal));

    static readonly string[] OtherWeightsExtensions = [".bin", ".ckpt", ".pt", ".pth", ".msgpack", ".onnx", ".onnx_data", ".pb", ".h5"];

    static void CheckVariant(string variant)
    {
        if (variant.Length == 0 || variant.Any(c => c is '/' or '\\' or '.' || char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException($"variant '{variant}' must be a plain word such as fp16", nameof(variant));
    }
}
