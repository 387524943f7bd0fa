namespace Probe.Nsfw.Classifier.Nsfwjs;

/// <summary>The three classifiers nsfwjs 4.4.0 bundles, by folder name under models/nsfwjs/ and input size.</summary>
public sealed record NsfwjsModel(string Name, int InputSize, string Format)
{
    /// <summary>nsfwjs's default: Keras MobileNetV2 + head, layers model, 224×224.</summary>
    public static readonly NsfwjsModel MobileNetV2 = new("mobilenet_v2", 224, "layers-model");

    /// <summary>TF-Hub MobileNetV2 (depth 1.4) + Dense, graph model, 224×224 (does x*2-1 inside).</summary>
    public static readonly NsfwjsModel MobileNetV2Mid = new("mobilenet_v2_mid", 224, "graph-model");

    /// <summary>Keras InceptionV3 + head, layers model, 299×299: the most accurate and the slowest.</summary>
    public static readonly NsfwjsModel InceptionV3 = new("inception_v3", 299, "layers-model");

    public static IReadOnlyList<NsfwjsModel> All { get; } = [MobileNetV2, MobileNetV2Mid, InceptionV3];

    /// <summary>The class labels, in output index order.</summary>
    public static IReadOnlyList<string> Classes { get; } = ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"];

    /// <summary>Finds a model by its folder name (case-insensitive); null when there is none.</summary>
    public static NsfwjsModel? Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
}
