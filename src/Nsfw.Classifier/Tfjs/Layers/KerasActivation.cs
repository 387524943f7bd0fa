using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>The Keras activation functions these models use, by their config name.</summary>
internal static class KerasActivation
{
    public static readonly string[] Supported = ["linear", "relu", "relu6", "sigmoid", "tanh", "softmax"];

    public static string Validate(string name, TfjsConfig config) =>
        Supported.Contains(name) ? name : throw config.Error($"activation '{name}' is not supported ({string.Join(", ", Supported)})");

    /// <summary>
    /// Applies the activation; softmax runs over <paramref name="channelAxis"/> (the features). With
    /// <paramref name="inPlace"/> (for a layer's own fresh output) relu and relu6 overwrite <paramref name="x"/>.
    /// </summary>
    public static Tensor Apply(string name, Tensor x, long channelAxis, bool inPlace = false) => name switch
    {
        "linear" => x,
        "relu" => inPlace ? x.relu_() : nn.functional.relu(x),
        "relu6" => inPlace ? x.clamp_(0, 6) : x.clamp(0, 6),
        "sigmoid" => x.sigmoid(),
        "tanh" => x.tanh(),
        "softmax" => x.softmax(channelAxis),
        _ => throw new InvalidOperationException($"activation '{name}' was not validated"),
    };
}
