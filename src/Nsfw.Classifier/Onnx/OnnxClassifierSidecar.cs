using System.Text.Json;
using System.Text.Json.Serialization;
using Probe.Judging;

namespace Probe.Nsfw.Classifier.Onnx;

/// <summary>
/// The JSON file that describes an ONNX image classifier to Probe: which model, how to feed it, what its outputs
/// mean and which labels are unsafe. Example:
/// <code>
/// { "model": "nsfw.onnx", "name": "my-nsfw", "version": "2",
///   "input": "pixel_values", "width": 224, "height": 224, "layout": "NCHW", "channels": "RGB",
///   "resize": "bilinear", "scale": 0.00392156862745098, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
///   "labels": ["normal", "nsfw"], "unsafe_labels": ["nsfw"], "output_kind": "logits",
///   "category": "sexual", "threshold": 0.5 }
/// </code>
/// A pixel value p (0–255) becomes (p·scale − mean[c]) / std[c].
/// </summary>
public sealed record OnnxClassifierSidecar
{
    /// <summary>The file this was read from (paths in it are relative to its folder).</summary>
    [JsonIgnore] public string File { get; init; } = "";

    [JsonPropertyName("model")] public string Model { get; init; } = "";

    [JsonPropertyName("name")] public string? Name { get; init; }

    [JsonPropertyName("version")] public string? Version { get; init; }

    /// <summary>Model input name (default: the model's only input).</summary>
    [JsonPropertyName("input")] public string? Input { get; init; }

    /// <summary>Model output name (default: the model's first output).</summary>
    [JsonPropertyName("output")] public string? Output { get; init; }

    [JsonPropertyName("width")] public int Width { get; init; }

    [JsonPropertyName("height")] public int Height { get; init; }

    /// <summary>"NCHW" (default) or "NHWC".</summary>
    [JsonPropertyName("layout")] public string Layout { get; init; } = "NCHW";

    /// <summary>"RGB" (default) or "BGR".</summary>
    [JsonPropertyName("channels")] public string Channels { get; init; } = "RGB";

    /// <summary>"bilinear" (half-pixel centres, as OpenCV / PyTorch; default) or "bilinear_align_corners" (as TF with align_corners).</summary>
    [JsonPropertyName("resize")] public string Resize { get; init; } = "bilinear";

    [JsonPropertyName("scale")] public double Scale { get; init; } = 1.0 / 255;

    [JsonPropertyName("mean")] public double[] Mean { get; init; } = [0, 0, 0];

    [JsonPropertyName("std")] public double[] Std { get; init; } = [1, 1, 1];

    [JsonPropertyName("labels")] public string[] Labels { get; init; } = [];

    [JsonPropertyName("unsafe_labels")] public string[] UnsafeLabels { get; init; } = [];

    /// <summary>"probabilities" (default), "logits" (softmax applied) or "sigmoid" (multi-label).</summary>
    [JsonPropertyName("output_kind")] public string OutputKind { get; init; } = "probabilities";

    [JsonPropertyName("category")] public string Category { get; init; } = "";

    [JsonPropertyName("threshold")] public double Threshold { get; init; } = 0.5;

    public string ModelPath => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(File)) ?? ".", Model));

    public TensorLayout ParsedLayout => Layout.ToUpperInvariant() == "NHWC" ? TensorLayout.Nhwc : TensorLayout.Nchw;

    public bool Bgr => Channels.ToUpperInvariant() == "BGR";

    public bool AlignCorners => Resize == "bilinear_align_corners";

    public OutputKind ParsedOutputKind => OutputKind switch
    {
        "logits" => Onnx.OutputKind.Logits,
        "sigmoid" => Onnx.OutputKind.Sigmoid,
        _ => Onnx.OutputKind.Probabilities,
    };

    public HarmCategory ParsedCategory => HarmCategories.Parse(Category);

    static readonly JsonSerializerOptions Json = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Reads and validates a sidecar; every problem is a <see cref="SidecarException"/>.</summary>
    public static OnnxClassifierSidecar Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path)) throw new SidecarException(path, null, "file not found");
        OnnxClassifierSidecar? sidecar;
        try
        {
            sidecar = JsonSerializer.Deserialize<OnnxClassifierSidecar>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? null : e.Path.TrimStart('$', '.');
            throw new SidecarException(path, field, $"not valid sidecar JSON: {e.Message.Split(" Path:")[0]}" +
                (e.LineNumber is { } line ? $" (line {line + 1})" : ""), e);
        }
        catch (IOException e)
        {
            throw new SidecarException(path, null, $"cannot be read: {e.Message}", e);
        }
        if (sidecar is null) throw new SidecarException(path, null, "the file holds JSON null, not a sidecar object");
        sidecar = sidecar with { File = Path.GetFullPath(path) };
        sidecar.Validate();
        return sidecar;
    }

    /// <summary>Checks every field; throws a <see cref="SidecarException"/> naming the first bad one.</summary>
    public void Validate()
    {
        SidecarException Bad(string field, string problem) => new(File, field, problem);
        if (string.IsNullOrWhiteSpace(Model)) throw Bad("model", "is required: the ONNX file, relative to the sidecar");
        if (!System.IO.File.Exists(ModelPath)) throw Bad("model", $"file not found: {ModelPath}");
        if (Width < 1 || Width > 8192) throw Bad("width", $"must be between 1 and 8192, got {Width}");
        if (Height < 1 || Height > 8192) throw Bad("height", $"must be between 1 and 8192, got {Height}");
        if (Layout.ToUpperInvariant() is not ("NCHW" or "NHWC")) throw Bad("layout", $"must be NCHW or NHWC, got '{Layout}'");
        if (Channels.ToUpperInvariant() is not ("RGB" or "BGR")) throw Bad("channels", $"must be RGB or BGR, got '{Channels}'");
        if (Resize is not ("bilinear" or "bilinear_align_corners")) throw Bad("resize", $"must be bilinear or bilinear_align_corners, got '{Resize}'");
        if (!(Scale > 0) || double.IsInfinity(Scale)) throw Bad("scale", $"must be a positive number, got {Scale}");
        if (Mean is not { Length: 3 } || Mean.Any(m => !double.IsFinite(m))) throw Bad("mean", "must be three finite numbers (R, G, B)");
        if (Std is not { Length: 3 } || Std.Any(s => !(s > 0) || double.IsInfinity(s))) throw Bad("std", "must be three positive numbers (R, G, B)");
        if (Labels is not { Length: > 0 }) throw Bad("labels", "must list the model's output labels in order");
        if (Labels.Distinct(StringComparer.Ordinal).Count() != Labels.Length) throw Bad("labels", "must not repeat a label");
        if (UnsafeLabels is not { Length: > 0 }) throw Bad("unsafe_labels", "must name at least one of the labels");
        foreach (var u in UnsafeLabels)
            if (!Labels.Contains(u, StringComparer.Ordinal))
                throw Bad("unsafe_labels", $"'{u}' is not one of the labels ({string.Join(", ", Labels)})");
        if (OutputKind is not ("probabilities" or "logits" or "sigmoid"))
            throw Bad("output_kind", $"must be probabilities, logits or sigmoid, got '{OutputKind}'");
        if (string.IsNullOrWhiteSpace(Category)) throw Bad("category", $"is required; one of: {HarmCategories.ValidNames}");
        if (!HarmCategories.TryParse(Category, out _)) throw Bad("category", $"'{Category}' is not a harm category; one of: {HarmCategories.ValidNames}");
        if (!(Threshold >= 0 && Threshold <= 1)) throw Bad("threshold", $"must lie in [0,1], got {Threshold}");
    }
}
