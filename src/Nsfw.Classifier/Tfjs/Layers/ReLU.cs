using static TorchSharp.torch;

namespace Probe.Nsfw.Classifier.Tfjs.Layers;

/// <summary>
/// Keras ReLU layer: x ≥ max_value → max_value; threshold ≤ x &lt; max_value → x; otherwise negative_slope·(x − threshold).
/// MobileNetV2 uses it as ReLU6 (max_value 6).
/// </summary>
internal sealed class ReLU : nn.Module<Tensor, Tensor>, IInPlaceLayer
{
    readonly double? maxValue;
    readonly double negativeSlope;
    readonly double threshold;

    public ReLU(string name, TfjsConfig config) : base(name)
    {
        maxValue = config.NullableDouble("max_value");
        negativeSlope = config.Double("negative_slope", 0);
        threshold = config.Double("threshold", 0);
        if (maxValue < 0) throw config.Error($"max_value {maxValue} must not be negative");
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (negativeSlope == 0 && threshold == 0)
            return maxValue is { } m ? x.clamp(0, m) : nn.functional.relu(x);
        var below = x.sub(threshold).mul(negativeSlope);
        var y = where(x.ge(threshold), x, below);
        return maxValue is { } max ? y.clamp_max(max) : y;
    }

    public Tensor ForwardInPlace(Tensor x)
    {
        if (negativeSlope != 0 || threshold != 0) return forward(x);
        return maxValue is { } m ? x.clamp_(0, m) : x.relu_();
    }
}
