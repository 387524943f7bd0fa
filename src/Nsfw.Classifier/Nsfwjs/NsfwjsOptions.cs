namespace Probe.Nsfw.Classifier.Nsfwjs;

/// <summary>How an nsfwjs judge turns its five probabilities into a sexual-content verdict.</summary>
public sealed record NsfwjsOptions
{
    /// <summary>Which model (default MobileNetV2, nsfwjs's own default).</summary>
    public NsfwjsModel Model { get; init; } = NsfwjsModel.MobileNetV2;

    /// <summary>Folder holding the model folders; null = the bundled models (<see cref="NsfwjsModelLocator"/>).</summary>
    public string? ModelsRoot { get; init; }

    /// <summary>Classes whose probabilities add up to the unsafe score (default Porn + Hentai).</summary>
    public IReadOnlyList<string> UnsafeClasses { get; init; } = ["Porn", "Hentai"];

    /// <summary>The class reported as "suggestive" beside the decision (default Sexy); null for none.</summary>
    public string? SuggestiveClass { get; init; } = "Sexy";

    /// <summary>Unsafe score at or above which an image is judged unsafe.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Device to run on (default CPU); the dtype for CUDA may be float16.</summary>
    public TorchSharp.torch.Device? Device { get; init; }

    public TorchSharp.torch.ScalarType DType { get; init; } = TorchSharp.torch.ScalarType.Float32;

    /// <summary>Images per forward pass; null = <see cref="NsfwjsClassifier.DefaultMaxBatch"/> for the device.</summary>
    public int? MaxBatch { get; init; }
}
