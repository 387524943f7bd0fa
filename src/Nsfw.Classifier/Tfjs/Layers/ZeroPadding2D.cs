using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>Keras ZeroPadding2D: padding ((top, bottom), (left, right)); MobileNetV2 pads only bottom/right.</summary>
internal sealed class ZeroPadding2D : nn.Module<Tensor, Tensor>
{
    readonly long[] padding;

    public ZeroPadding2D(string name, TfjsConfig config) : base(name)
    {
        config.RequireChannelsLast();
        var node = config.Node("padding");
        try
        {
            padding = node switch
            {
                System.Text.Json.Nodes.JsonValue v => Symmetric(v.GetValue<int>(), v.GetValue<int>()),
                System.Text.Json.Nodes.JsonArray { Count: 2 } a when a[0] is System.Text.Json.Nodes.JsonArray =>
                    [a[1]![0]!.GetValue<int>(), a[1]![1]!.GetValue<int>(), a[0]![0]!.GetValue<int>(), a[0]![1]!.GetValue<int>()],
                System.Text.Json.Nodes.JsonArray { Count: 2 } a => Symmetric(a[0]!.GetValue<int>(), a[1]!.GetValue<int>()),
                _ => throw config.Error($"padding {node?.ToJsonString() ?? "null"} is not understood"),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw config.Error($"padding {node?.ToJsonString() ?? "null"} is not understood");
        }
        if (padding.Any(p => p < 0)) throw config.Error("padding must not be negative");
        RegisterComponents();
    }

    static long[] Symmetric(int vertical, int horizontal) => [horizontal, horizontal, vertical, vertical];

    /// <summary>libtorch's pad order: left, right, top, bottom.</summary>
    public override Tensor forward(Tensor x) => nn.functional.pad(x, padding);
}
